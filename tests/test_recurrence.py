"""Chapter 1: discretisation against closed forms, the scan against its unrolled sum,
streaming == batch, stability, and clear errors for bad input."""
import math

import pytest
import scipy.linalg
import torch
from hypothesis import given
from hypothesis import strategies as st

from ssmcourse import recurrence as r
from ssmcourse.check import check

F64 = torch.float64


def random_system(seed, n, m, p, dense=True, scale=0.9):
    g = torch.Generator().manual_seed(seed)
    if dense:
        A = torch.randn(n, n, generator=g, dtype=F64)
        A = scale * A / torch.linalg.eigvals(A).abs().max()        # spectral radius = scale
    else:
        A = (torch.rand(n, generator=g, dtype=F64) * 2 - 1) * scale
    return (A, torch.randn(n, m, generator=g, dtype=F64), torch.randn(p, n, generator=g, dtype=F64))


def unrolled(Ab, Bb, C, x):
    """y_t = sum_{k=0}^{t} C Ab^k Bb x_{t-k} (equation 1.3), for x (b, l, m)."""
    b, l, m = x.shape
    A = torch.diag(Ab) if Ab.dim() == 1 else Ab
    K = [C @ torch.linalg.matrix_power(A, k) @ Bb for k in range(l)]
    return torch.stack([sum(x[:, t - k] @ K[k].T for k in range(t + 1)) for t in range(l)], dim=1)


@given(seed=st.integers(0, 10_000), n=st.integers(1, 5), m=st.integers(1, 3), p=st.integers(1, 3),
       l=st.sampled_from([1, 2, 7, 13]), b=st.integers(1, 3), dense=st.booleans())
def test_scan_equals_unrolled_sum(seed, n, m, p, l, b, dense):
    Ab, Bb, C = random_system(seed, n, m, p, dense)
    x = torch.randn(b, l, m, generator=torch.Generator().manual_seed(seed + 1), dtype=F64)
    y, h = r.scan(Ab, Bb, C, x)
    check(y, unrolled(Ab, Bb, C, x), "scan == unrolled sum")
    assert h.shape == (b, n)


@given(seed=st.integers(0, 10_000), n=st.integers(1, 6), split=st.integers(0, 20))
def test_streaming_step_equals_batch_scan_and_resumes(seed, n, split):
    Ab, Bb, C = random_system(seed, n, 2, 3)
    x = torch.randn(2, 20, 2, generator=torch.Generator().manual_seed(seed), dtype=F64)
    y, h_last = r.scan(Ab, Bb, C, x)
    h, ys = torch.zeros(2, n, dtype=F64), []
    for t in range(20):
        y_t, h = r.step(Ab, Bb, C, h, x[:, t])
        ys.append(y_t)
    check(torch.stack(ys, 1), y, "stream == batch")
    check(h, h_last, "final state")
    y1, h1 = r.scan(Ab, Bb, C, x[:, :split])
    y2, h2 = r.scan(Ab, Bb, C, x[:, split:], h0=h1)
    check(torch.cat([y1, y2], 1), y, "scan resumed from a state")


@given(a=st.floats(-5, -1e-3), b=st.floats(-3, 3), delta=st.floats(1e-3, 3))
def test_scalar_discretisations_match_closed_forms(a, b, delta):
    A, B = torch.tensor([a], dtype=F64), torch.tensor([[b]], dtype=F64)
    Ab, Bb = r.discretize(A, B, delta, "zoh")
    check(Ab, torch.tensor([math.exp(a * delta)], dtype=F64))
    check(Bb, torch.tensor([[math.expm1(a * delta) / a * b]], dtype=F64))
    Ab, Bb = r.discretize(A, B, delta, "bilinear")
    check(Ab, torch.tensor([(1 + a * delta / 2) / (1 - a * delta / 2)], dtype=F64))
    check(Bb, torch.tensor([[delta * b / (1 - a * delta / 2)]], dtype=F64))
    Ab, Bb = r.discretize(A, B, delta, "euler")
    check(Ab, torch.tensor([1 + a * delta], dtype=F64))


@given(seed=st.integers(0, 10_000), n=st.integers(1, 5), m=st.integers(1, 3), delta=st.floats(0.01, 2))
def test_dense_zoh_matches_scipy_expm_and_diagonal(seed, n, m, delta):
    g = torch.Generator().manual_seed(seed)
    A, B = torch.randn(n, n, generator=g, dtype=F64), torch.randn(n, m, generator=g, dtype=F64)
    Ab, Bb = r.zoh(A, B, delta)
    check(Ab, torch.from_numpy(scipy.linalg.expm(delta * A.numpy())), "Ā = expm(ΔA)", rtol=1e-8)
    check(torch.linalg.solve(A, (Ab - torch.eye(n, dtype=F64)) @ B), Bb,
          "B̄ = A⁻¹(Ā - I)B", rtol=1e-6, atol=1e-8)
    lam = -torch.rand(n, generator=g, dtype=F64) * 3
    Ab_diag, Bb_diag = r.zoh(lam, B, delta)
    Ab_dense, Bb_dense = r.zoh(torch.diag(lam), B, delta)
    check(torch.diag(Ab_diag), Ab_dense)
    check(Bb_diag, Bb_dense, atol=1e-10)


def test_zoh_handles_zero_eigenvalue_as_integrator():
    Ab, Bb = r.zoh(torch.tensor([0.0, -1.0], dtype=F64), torch.ones(2, 1, dtype=F64), 0.5)
    check(Ab[0], torch.tensor(1.0, dtype=F64))
    check(Bb[0, 0], torch.tensor(0.5, dtype=F64))
    Ab, Bb = r.zoh(torch.zeros(2, 2, dtype=F64), torch.ones(2, 1, dtype=F64), 0.5)  # singular dense A
    check(Bb, torch.full((2, 1), 0.5, dtype=F64))


def test_zoh_is_exact_for_held_inputs():
    A = torch.tensor([[-0.5, 2.0], [-2.0, -0.5]], dtype=F64)
    B, C = torch.tensor([[1.0], [0.5]], dtype=F64), torch.eye(2, dtype=F64)
    tau = torch.arange(1, 41, dtype=F64) * 0.2
    h_exact = torch.linalg.solve(A, torch.linalg.matrix_exp(A * tau[:, None, None]) @ B - B)[:, :, 0]
    Ab, Bb = r.zoh(A, B, 0.2)
    y, _ = r.scan(Ab, Bb, C, torch.ones(1, 40, 1, dtype=F64))
    check(y[0], h_exact, "ZOH on a step input", atol=1e-12)


def test_exact_sine_response_solves_the_ode():
    A = torch.tensor([[-1.0, 3.0], [-3.0, -1.0]], dtype=F64)
    B, C = torch.tensor([[1.0], [0.0]], dtype=F64), torch.eye(2, dtype=F64)
    t = torch.linspace(0, 3, 3001, dtype=F64)
    h = r.exact_sine_response(A, B, C, 2.0, t)                      # C = I: the state itself
    dh = torch.gradient(h, spacing=(t,), dim=0)[0]
    rhs = h @ A.T + torch.sin(2 * t)[:, None] * B[:, 0]
    check(dh[5:-5], rhs[5:-5], "h' = A h + B sin(2t)", atol=1e-5)
    check(h[0], torch.zeros(2, dtype=F64), "h(0) = 0", atol=1e-12)


@given(lam=st.floats(-50, -0.01), delta=st.floats(0.001, 10))
def test_zoh_and_bilinear_keep_stability_euler_only_below_2_over_lambda(lam, delta):
    A, B = torch.tensor([lam], dtype=F64), torch.ones(1, 1, dtype=F64)
    assert r.is_stable(A, continuous=True)
    assert r.is_stable(r.zoh(A, B, delta)[0]) or math.exp(lam * delta) == 1.0
    assert r.is_stable(r.bilinear(A, B, delta)[0])
    euler_stable = r.is_stable(r.euler(A, B, delta)[0])
    if abs(delta - 2 / abs(lam)) > 1e-9:
        assert euler_stable == (delta < 2 / abs(lam))


def test_impulse_response_is_C_A_power_B():
    Ab, Bb, C = random_system(0, 4, 2, 3)
    K = r.impulse_response(Ab, Bb, C, 9)
    assert K.shape == (9, 3, 2)
    for k in range(9):
        check(K[k], C @ torch.linalg.matrix_power(Ab, k) @ Bb)


def test_rotation_scaling_has_the_stated_eigenvalues():
    eig = torch.linalg.eigvals(r.rotation_scaling(0.8, 0.6).to(F64))
    check(eig.abs(), torch.full((2,), 0.8, dtype=F64), atol=1e-6)
    check(eig.angle().abs(), torch.full((2,), 0.6, dtype=F64), atol=1e-6)
    assert r.spectral_radius(r.rotation_scaling(1.05, 0.1)) > 1


def test_empty_sequence_gives_empty_output():
    Ab, Bb, C = random_system(0, 3, 2, 4)
    y, h = r.scan(Ab, Bb, C, torch.zeros(2, 0, 2, dtype=F64))
    assert y.shape == (2, 0, 4) and h.shape == (2, 3)


@pytest.mark.parametrize("call, error, message", [
    (lambda: r.discretize(torch.ones(3, 3), torch.ones(3, 1), 0.0), ValueError, r"delta: expected a finite number > 0, got 0.0"),
    (lambda: r.discretize(torch.ones(3, 3), torch.ones(3, 1), -1), ValueError, r"delta: expected a finite number > 0"),
    (lambda: r.discretize(torch.ones(3, 3), torch.ones(3, 1), "0.1"), TypeError, r"delta: expected a positive number, got str"),
    (lambda: r.discretize(torch.ones(3, 2), torch.ones(3, 1), 0.1), ValueError, r"A: expected shape\[1\] = 3"),
    (lambda: r.discretize(torch.ones(3, 3), torch.ones(4, 1), 0.1), ValueError, r"B: expected shape\[0\] = 3 \(the state size of A\), got shape \(4, 1\)"),
    (lambda: r.discretize(torch.ones(3, 3), torch.ones(3, 1), 0.1, "rk4"), ValueError, r"method: got 'rk4', expected one of"),
    (lambda: r.discretize(torch.ones(3, 3, dtype=torch.int64), torch.ones(3, 1), 0.1), TypeError, r"A: expected a floating-point or complex dtype, got torch.int64"),
    (lambda: r.scan(torch.ones(3), torch.ones(3, 2), torch.ones(1, 3), torch.ones(5, 2)), ValueError, r"x: expected a 3-D tensor, got shape \(5, 2\)"),
    (lambda: r.scan(torch.ones(3), torch.ones(3, 2), torch.ones(1, 3), torch.ones(1, 5, 3)), ValueError, r"x: expected shape\[2\] = 2 \(the input channels m of B\)"),
    (lambda: r.scan(torch.ones(3), torch.ones(3, 2), torch.ones(1, 4), torch.ones(1, 5, 2)), ValueError, r"C: expected shape\[1\] = 3"),
    (lambda: r.scan(torch.ones(3), torch.ones(3, 2), torch.ones(1, 3), torch.ones(1, 5, 2), h0=torch.ones(3)), ValueError, r"h0: expected shape \(1, 3\)"),
    (lambda: r.scan([[1.0]], torch.ones(1, 1), torch.ones(1, 1), torch.ones(1, 2, 1)), TypeError, r"A: expected a torch.Tensor, got list"),
    (lambda: r.impulse_response(torch.ones(2), torch.ones(2, 1), torch.ones(1, 2), 0), ValueError, r"L: expected an int >= 1, got 0"),
    (lambda: r.bilinear(torch.ones(2), torch.ones(2, 1), -1.0), ValueError, r"delta: expected a finite number > 0, got -1.0"),
    (lambda: r.zoh(torch.ones(2), torch.ones(3, 1), 0.1), ValueError, r"B: expected shape\[0\] = 2"),
    (lambda: r.step(torch.ones(2), torch.ones(2, 1), torch.ones(1, 2), torch.zeros(1, 3), torch.ones(1, 1)), ValueError, r"h, x_t: expected shapes \(b, 2\) and \(b, 1\), got \(1, 3\) and \(1, 1\)"),
])
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
