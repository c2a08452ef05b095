"""Chapter 3: the three views of SSD agree (loop == attention == chunked), the stable segsum,
linear attention as the case a = 1, numerics at long lengths, and bad inputs."""
from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ssmcourse import ssd
from ssmcourse.check import compare


def inputs(b, l, h, p, n, seed=0, dtype=torch.float32, decay=1.0):
    """Random SSD inputs with log-decays in [-decay, 0]."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(b, l, h, p, generator=g, dtype=dtype)
    A = -decay * torch.rand(b, l, h, generator=g, dtype=dtype)
    B = torch.randn(b, l, h, n, generator=g, dtype=dtype) / n ** 0.5
    C = torch.randn(b, l, h, n, generator=g, dtype=dtype) / n ** 0.5
    return X, A, B, C


def same(actual, expected, rtol=1e-4, atol=1e-4):
    diff = compare(actual, expected, rtol=rtol, atol=atol)
    assert diff is None, diff


shapes = st.tuples(st.integers(1, 2), st.integers(1, 40), st.integers(1, 3),
                   st.integers(1, 5), st.integers(1, 5))


@settings(max_examples=40, deadline=None)
@given(shape=shapes, chunk_size=st.integers(1, 48), seed=st.integers(0, 2**16),
       with_state=st.booleans())
def test_three_views_agree(shape, chunk_size, seed, with_state):
    """recurrent == quadratic == chunked, any l (divisible by chunk_size or not), any chunk."""
    b, l, h, p, n = shape
    X, A, B, C = inputs(b, l, h, p, n, seed)
    s0 = torch.randn(b, h, p, n, generator=torch.Generator().manual_seed(seed + 1)) if with_state else None
    Y_rec, s_rec = ssd.ssd_recurrent(X, A, B, C, initial_state=s0)
    Y_chk, s_chk = ssd.ssd_chunked(X, A, B, C, chunk_size=chunk_size, initial_state=s0)
    same(Y_chk, Y_rec)
    same(s_chk, s_rec)
    assert Y_chk.shape == (b, l, h, p) and s_chk.shape == (b, h, p, n)
    if not with_state:
        same(ssd.ssd_quadratic(X, A, B, C), Y_rec)


@pytest.mark.parametrize("l, chunk_size", [(1, 1), (1, 64), (17, 1), (17, 4), (17, 100),
                                           (64, 64), (65, 64), (128, 32)])
def test_chunked_awkward_sizes(l, chunk_size):
    X, A, B, C = inputs(2, l, 3, 4, 5, seed=l)
    s0 = torch.randn(2, 3, 4, 5)
    Y_rec, s_rec = ssd.ssd_recurrent(X, A, B, C, s0)
    Y_chk, s_chk = ssd.ssd_chunked(X, A, B, C, chunk_size, s0)
    same(Y_chk, Y_rec)
    same(s_chk, s_rec)


def test_fp32_views_match_float64():
    """The fp32 results are accurate, not only consistent with each other."""
    X, A, B, C = inputs(2, 300, 4, 8, 16, seed=3, dtype=torch.float64, decay=0.5)
    s0 = torch.randn(2, 4, 8, 16, dtype=torch.float64)
    Y64, s64 = ssd.ssd_recurrent(X, A, B, C, s0)
    f32 = [t.float() for t in (X, A, B, C)]
    Y_chk, s_chk = ssd.ssd_chunked(*f32, chunk_size=32, initial_state=s0.float())
    Y_rec, s_rec = ssd.ssd_recurrent(*f32, initial_state=s0.float())
    for Y, s in ((Y_chk, s_chk), (Y_rec, s_rec)):
        assert Y.dtype == torch.float32
        same(Y, Y64.float())
        same(s, s64.float())
    same(ssd.ssd_quadratic(*f32), ssd.ssd_quadratic(X, A, B, C).float())


def test_float64_inputs_stay_float64():
    X, A, B, C = inputs(1, 10, 2, 3, 3, dtype=torch.float64)
    Y, s = ssd.ssd_chunked(X, A, B, C, chunk_size=4)
    assert Y.dtype == s.dtype == torch.float64
    same(Y, ssd.ssd_recurrent(X, A, B, C)[0], rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16))
def test_no_decay_is_causal_linear_attention(shape, seed):
    """a_t = 1 (A_t = 0): SSD is causal linear attention with Q = C, K = B, V = X."""
    b, l, h, p, n = shape
    X, _, B, C = inputs(b, l, h, p, n, seed)
    A = torch.zeros(b, l, h)
    expected = ssd.causal_linear_attention(C, B, X)
    same(ssd.ssd_quadratic(X, A, B, C), expected)
    same(ssd.ssd_recurrent(X, A, B, C)[0], expected)
    same(ssd.ssd_chunked(X, A, B, C, chunk_size=7)[0], expected)


def test_causal_linear_attention_by_hand():
    Q = K = torch.ones(1, 3, 1, 1)
    V = torch.tensor([1.0, 2.0, 4.0]).reshape(1, 3, 1, 1)
    same(ssd.causal_linear_attention(Q, K, V).flatten(), torch.tensor([1.0, 3.0, 7.0]))


@settings(max_examples=30, deadline=None)
@given(lead=st.lists(st.integers(1, 3), max_size=2), l=st.integers(1, 30),
       seed=st.integers(0, 2**16))
def test_segsum_definition(lead, l, seed):
    x = torch.randn(*lead, l, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    out = ssd.segsum(x)
    assert out.shape == (*lead, l, l)
    for i in range(l):
        for j in range(l):
            if j <= i:
                same(out[..., i, j], x[..., j + 1:i + 1].sum(-1), rtol=1e-12, atol=1e-12)
            else:
                assert bool((out[..., i, j] == -torch.inf).all())


def test_segsum_is_stable_where_cumsum_difference_is_not():
    """fp32, l = 4096, strong decay: the difference of cumsums loses digits, segsum does not."""
    x64 = -torch.rand(4096, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 2
    exact = torch.exp(ssd.segsum(x64))
    x = x64.float()
    stable = torch.exp(ssd.segsum(x))
    cs = torch.cumsum(x, -1)
    naive = torch.exp(cs[:, None] - cs[None, :]).tril()
    err_stable = float((stable.double() - exact).abs().max())
    err_naive = float((naive.double() - exact).abs().max())
    assert err_stable < 1e-5 < err_naive


def test_ssd_matrix_is_lower_triangular_and_matches_entries():
    X, A, B, C = inputs(1, 6, 2, 1, 3, seed=5)
    M = ssd.ssd_matrix(A, B, C)
    assert M.shape == (1, 2, 6, 6)
    assert bool((M.triu(1) == 0).all())
    i, j, hd = 4, 1, 1
    expected = torch.exp(A[0, j + 1:i + 1, hd].sum()) * (C[0, i, hd] @ B[0, j, hd])
    same(M[0, hd, i, j], expected, rtol=1e-6, atol=1e-7)


def test_long_sequence_strong_decay_stays_finite():
    """l = 65536 in fp32 with strong decay: no NaN or Inf, and the state matches the loop."""
    X, A, B, C = inputs(1, 65536, 1, 2, 2, seed=7, decay=20.0)
    Y, s = ssd.ssd_chunked(X, A, B, C, chunk_size=256)
    assert bool(torch.isfinite(Y).all()) and bool(torch.isfinite(s).all())
    tail = slice(65536 - 300, None)
    Y_ref, s_ref = ssd.ssd_recurrent(X[:, tail], A[:, tail], B[:, tail], C[:, tail])
    same(Y[:, -200:], Y_ref[:, -200:])  # decay forgets the start: a 300-step window suffices
    same(s, s_ref)


def test_padding_changes_nothing():
    X, A, B, C = inputs(1, 10, 2, 3, 4, seed=9)
    Y_pad, s_pad = ssd.ssd_chunked(X, A, B, C, chunk_size=8)   # padded to 16
    Y_exact, s_exact = ssd.ssd_chunked(X, A, B, C, chunk_size=5)  # no padding
    same(Y_pad, Y_exact)
    same(s_pad, s_exact)


def test_gradients_match_the_recurrence():
    """Training goes through the chunked form: its gradients equal the loop's (float64)."""
    base = inputs(1, 21, 2, 3, 4, seed=11, dtype=torch.float64)
    grads = []
    for fn in (lambda *t: ssd.ssd_recurrent(*t), lambda *t: ssd.ssd_chunked(*t, chunk_size=8)):
        leaves = [t.clone().requires_grad_() for t in base]
        Y, s = fn(*leaves)
        (Y.square().sum() + s.sum()).backward()
        grads.append([t.grad for t in leaves])
    for g_chk, g_rec in zip(*grads):
        same(g_chk, g_rec, rtol=1e-9, atol=1e-10)


def test_flops_linear_vs_quadratic():
    f = lambda form, l: ssd.ssd_flops(form, 2, l, 8, 64, 64, 64)
    assert f("chunked", 8192) == 2 * f("chunked", 4096)
    assert f("quadratic", 8192) == 4 * f("quadratic", 4096)
    assert f("recurrent", 8192) == 2 * f("recurrent", 4096)


# --- bad inputs get clear messages ----------------------------------------------------------

def test_error_mismatched_A_shape():
    X, A, B, C = inputs(2, 8, 3, 4, 5)
    with pytest.raises(ValueError, match=r"A: expected shape \(2, 8, 3\).*got \(2, 8, 4\)"):
        ssd.ssd_chunked(X, torch.zeros(2, 8, 4), B, C)


def test_error_mismatched_B_C():
    X, A, B, C = inputs(2, 8, 3, 4, 5)
    with pytest.raises(ValueError, match=r"C: expected shape \(2, 8, 3, 5\).*got \(2, 8, 3, 6\)"):
        ssd.ssd_recurrent(X, A, B, torch.zeros(2, 8, 3, 6))
    with pytest.raises(ValueError, match=r"B: expected shape \(2, 8, 3\)"):
        ssd.ssd_quadratic(X, A, B[:, :7], C)


def test_error_wrong_rank_and_type():
    X, A, B, C = inputs(2, 8, 3, 4, 5)
    with pytest.raises(ValueError, match=r"X: expected a 4-D tensor, got shape \(8, 3, 4\)"):
        ssd.ssd_recurrent(X[0], A, B, C)
    with pytest.raises(TypeError, match="A: expected a torch.Tensor, got list"):
        ssd.ssd_chunked(X, [0.0], B, C)


def test_error_chunk_size():
    X, A, B, C = inputs(1, 8, 1, 2, 2)
    with pytest.raises(ValueError, match="chunk_size: expected an int >= 1, got 0"):
        ssd.ssd_chunked(X, A, B, C, chunk_size=0)
    with pytest.raises(TypeError, match="chunk_size: expected an int, got float"):
        ssd.ssd_chunked(X, A, B, C, chunk_size=4.0)


def test_error_positive_log_decay():
    X, A, B, C = inputs(1, 8, 1, 2, 2)
    for fn in (ssd.ssd_recurrent, ssd.ssd_quadratic, ssd.ssd_chunked):
        with pytest.raises(ValueError, match=r"A: expected log-decays <= 0.*got max 0.5"):
            fn(X, A + 0.5 + A.abs(), B, C)
    with pytest.raises(ValueError, match=r"A: expected log-decays <= 0.*got max 0.5"):
        ssd.ssd_matrix(A + 0.5 + A.abs(), B, C)
    with pytest.raises(TypeError, match="A: expected a real log-decay"):
        ssd.ssd_matrix(A.to(torch.complex64), B, C)


def test_error_initial_state_shape():
    X, A, B, C = inputs(2, 8, 3, 4, 5)
    with pytest.raises(ValueError, match=r"initial_state: expected shape \(2, 3, 4, 5\)"):
        ssd.ssd_chunked(X, A, B, C, initial_state=torch.zeros(2, 3, 5, 4))


def test_error_linear_attention_shapes():
    Q = torch.zeros(1, 4, 2, 3)
    with pytest.raises(ValueError, match=r"K: expected shape \(1, 4, 2, 3\)"):
        ssd.causal_linear_attention(Q, torch.zeros(1, 4, 2, 5), torch.zeros(1, 4, 2, 6))
