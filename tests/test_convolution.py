"""Chapter 2: the recurrence and the convolution are one computation, seen two ways."""
from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from ssmcourse import convolution as cv
from ssmcourse import exercises
from ssmcourse.check import check
from ssmcourse.nn import S4D
from ssmcourse.recurrence import impulse_response, scan

LENGTHS = (1, 7, 129, 1000)


def stable_system(seed: int, n: int, m: int, p: int, diagonal: bool, dtype=torch.float64):
    """A random stable discrete system: dense with spectral radius ≤ 0.95, or complex diagonal."""
    gen = torch.Generator().manual_seed(seed)
    if diagonal:
        r = 0.95 * torch.rand(n, generator=gen, dtype=torch.float64)
        theta = 2 * math.pi * torch.rand(n, generator=gen, dtype=torch.float64)
        Ab = torch.polar(r, theta)
        cdtype = torch.complex128 if dtype == torch.float64 else torch.complex64
        return (Ab.to(cdtype), torch.randn(n, m, generator=gen, dtype=dtype).to(cdtype),
                torch.randn(p, n, generator=gen, dtype=dtype).to(cdtype))
    A = torch.randn(n, n, generator=gen, dtype=torch.float64)
    rho = torch.linalg.eigvals(A).abs().max()
    scale = 0.95 * torch.rand((), generator=gen, dtype=torch.float64) / rho
    return ((A * scale).to(dtype), torch.randn(n, m, generator=gen, dtype=dtype),
            torch.randn(p, n, generator=gen, dtype=dtype))


@settings(deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 5), m=st.integers(1, 2),
       p=st.integers(1, 3), b=st.integers(1, 3), l=st.sampled_from(LENGTHS),
       diagonal=st.booleans(), method=st.sampled_from(cv.METHODS))
def test_recurrence_equals_convolution(seed, n, m, p, b, l, diagonal, method):
    Ab, Bb, C = stable_system(seed, n, m, p, diagonal)
    x = torch.randn(b, l, m, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    y_scan, _ = scan(Ab, Bb, C, x)
    y_conv = cv.convolve(Ab, Bb, C, x, method=method)
    assert y_conv.shape == (b, l, p)
    torch.testing.assert_close(y_conv, y_scan.to(y_conv.dtype), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("l", LENGTHS)
@pytest.mark.parametrize("diagonal", [False, True])
def test_recurrence_equals_convolution_at_every_listed_length(l, diagonal):
    """The same property at each awkward length for sure, batch (2, l, 2), both methods."""
    Ab, Bb, C = stable_system(l, 3, 2, 2, diagonal)
    x = torch.randn(2, l, 2, generator=torch.Generator().manual_seed(l), dtype=torch.float64)
    y_scan, _ = scan(Ab, Bb, C, x)
    for method in cv.METHODS:
        torch.testing.assert_close(cv.convolve(Ab, Bb, C, x, method), y_scan, rtol=1e-9, atol=1e-9)


@settings(deadline=None)
@given(seed=st.integers(0, 2**31 - 1), lead=st.sampled_from([(), (3,), (2, 4), (1, 2, 3)]),
       l=st.sampled_from(LENGTHS), L=st.sampled_from(LENGTHS), complex_=st.booleans())
def test_direct_equals_fft_over_batch_axes(seed, lead, l, L, complex_):
    gen = torch.Generator().manual_seed(seed)
    dtype = torch.complex128 if complex_ else torch.float64
    x = torch.randn(*lead, l, generator=gen, dtype=dtype)
    K = torch.randn(*lead[-1:], L, generator=gen, dtype=dtype)  # one kernel per last channel
    y_direct = cv.causal_conv(x, K, "direct")
    assert y_direct.shape == (*lead, l)
    torch.testing.assert_close(cv.causal_conv(x, K, "fft"), y_direct, rtol=1e-9, atol=1e-9)


def test_causal_conv_matches_definition_and_toeplitz():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(9, generator=gen, dtype=torch.float64)
    K = torch.randn(9, generator=gen, dtype=torch.float64)
    loop = torch.stack([sum(K[k] * x[t - k] for k in range(t + 1)) for t in range(9)])
    torch.testing.assert_close(cv.causal_conv(x, K, "direct"), loop)
    torch.testing.assert_close(cv.toeplitz(K) @ x, loop)
    assert cv.toeplitz(torch.arange(3.0)).tolist() == [[0, 0, 0], [1, 0, 0], [2, 1, 0]]


def test_fft_accuracy_fp32_at_4096():
    """fp32 FFT and direct convolution both stay within 1e-5 (relative) of a float64 reference."""
    gen = torch.Generator().manual_seed(1)
    T = 4096
    Ab, Bb, C = stable_system(1, 16, 1, 1, diagonal=True)
    Ab = Ab.abs().clamp(max=0.999) * torch.sgn(Ab)              # long memory: slow decay
    K64 = cv.ssm_kernel(Ab, Bb, C, T)[:, 0, 0].real              # (T,) float64
    x64 = torch.randn(8, T, generator=gen, dtype=torch.float64)
    ref = cv.causal_conv(x64, K64, "direct")
    for method in cv.METHODS:
        y32 = cv.causal_conv(x64.float(), K64.float(), method)
        assert y32.dtype == torch.float32
        rel = ((y32.double() - ref).norm() / ref.norm()).item()
        worst = ((y32.double() - ref).abs().max() / ref.abs().max()).item()
        assert rel <= 1e-5 and worst <= 1e-5, (method, rel, worst)


@settings(deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 6), m=st.integers(1, 2),
       p=st.integers(1, 2), L=st.sampled_from((1, 2, 7, 64)))
def test_vandermonde_equals_powers(seed, n, m, p, L):
    lam, Bb, C = stable_system(seed, n, m, p, diagonal=True)
    torch.testing.assert_close(cv.vandermonde_kernel(lam, Bb, C, L),
                               cv.ssm_kernel(torch.diag(lam), Bb, C, L))


def test_kernel_equals_impulse_response():
    Ab, Bb, C = stable_system(3, 4, 2, 3, diagonal=False)
    torch.testing.assert_close(cv.ssm_kernel(Ab, Bb, C, 20), impulse_response(Ab, Bb, C, 20))


def test_vandermonde_handles_zero_and_negative_eigenvalues():
    lam = torch.tensor([0.0, -0.5], dtype=torch.float64)
    ones = torch.ones(2, 1, dtype=torch.float64)
    K = cv.ssm_kernel(lam, ones, ones.T, 4)
    assert K[:, 0, 0].tolist() == [2.0, -0.5, 0.25, -0.125]
    K = cv.vandermonde_kernel(lam.to(torch.complex128), torch.ones(2, 1, dtype=torch.complex128),
                              torch.ones(1, 2, dtype=torch.complex128), 3)
    assert not torch.isnan(K).any()


def test_s4d_kernel_is_vandermonde_per_channel():
    torch.manual_seed(0)
    A, log_dt = cv.s4d_lin(3, 8), torch.log(torch.tensor([1e-3, 1e-2, 1e-1]))
    C = torch.randn(3, 8, dtype=torch.complex64)
    K = cv.s4d_kernel(log_dt, A, C, 50)
    Ab, Bb = cv.s4d_discretize(log_dt, A)
    for i in range(3):
        Ki = 2 * cv.vandermonde_kernel(Ab[i], Bb[i][:, None], C[i][None], 50)[:, 0, 0].real
        torch.testing.assert_close(K[i], Ki, rtol=1e-5, atol=1e-5)


def test_inits():
    lin, real = cv.s4d_lin(2, 4), cv.s4d_real(2, 4)
    assert lin.shape == real.shape == (2, 4) and lin.dtype == torch.complex64
    expected = torch.tensor([complex(-0.5, math.pi * k) for k in range(4)], dtype=torch.complex64)
    torch.testing.assert_close(lin[0], expected)
    assert real[1].real.tolist() == [-1, -2, -3, -4] and (real.imag == 0).all()


@pytest.mark.parametrize("init", ["lin", "real"])
@pytest.mark.parametrize("l", [1, 7, 129])
def test_s4d_conv_mode_equals_recurrent_mode(init, l):
    torch.manual_seed(l)
    layer = S4D(d=3, n=16, init=init)
    x = torch.randn(2, 3, l)
    with torch.no_grad():
        y_fft, y_direct, y_rec = layer(x), layer(x, method="direct"), layer(x, mode="recurrent")
    assert y_fft.shape == y_rec.shape == (2, 3, l)
    torch.testing.assert_close(y_fft, y_rec, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(y_direct, y_rec, rtol=1e-4, atol=1e-4)


def test_s4d_stays_stable_and_trains():
    """``A = -exp(A_log)``: whatever the parameters, every mode decays; and gradients flow."""
    torch.manual_seed(0)
    layer = S4D(d=2, n=8)
    with torch.no_grad():
        layer.A_log.normal_(0, 5)
    assert (layer.A().real < 0).all()
    layer(torch.randn(1, 2, 16)).square().mean().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in layer.parameters())


EYE, ONES = torch.eye(2), torch.ones
BAD_INPUTS = [
    (lambda: cv.ssm_kernel(EYE, ONES(2, 1), ONES(1, 2), 0), r"L: expected an int >= 1, got 0"),
    (lambda: cv.ssm_kernel(EYE, ONES(3, 1), ONES(1, 2), 4), r"B: expected shape\[0\] = 2"),
    (lambda: cv.ssm_kernel(EYE, ONES(2, 1), ONES(1, 3), 4), r"C: expected shape\[1\] = 2"),
    (lambda: cv.vandermonde_kernel(EYE, ONES(2, 1), ONES(1, 2), 4), r"lam: expected the diagonal"),
    (lambda: cv.causal_conv(ONES(2, 5), ONES(3, 5)), r"K: leading axes \(3,\) do not broadcast"),
    (lambda: cv.causal_conv(ONES(5), ONES(5), method="fast"), r"method: got 'fast'"),
    (lambda: cv.causal_conv(ONES(2, 0), ONES(5)), r"x: expected shape \(\.\.\., l\) with l >= 1"),
    (lambda: cv.convolve(EYE, ONES(2, 1), ONES(1, 2), ONES(1, 5, 2)),
     r"x: expected shape\[2\] = 1"),
    (lambda: cv.s4d_kernel(torch.zeros(2), cv.s4d_lin(2, 4), ONES(2, 3, dtype=torch.cfloat), 8),
     r"C: expected shape \(2, 4\)"),
    (lambda: S4D(d=3, n=4)(ONES(1, 2, 8)), r"x: expected shape\[1\] = 3"),
    (lambda: S4D(d=3, n=4)(ONES(1, 3, 8), mode="parallel"), r"mode: got 'parallel'"),
    (lambda: S4D(d=3, n=4, init="hippo"), r"init: got 'hippo'"),
]


@pytest.mark.parametrize("call, match", BAD_INPUTS)
def test_bad_input_raises_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_convolve_rejects_empty_sequence():
    match = r"x: expected shape \(b, l, m\) with l >= 1, got \(2, 0, 1\)"
    with pytest.raises(ValueError, match=match):
        cv.convolve(torch.eye(2), torch.ones(2, 1), torch.ones(1, 2), torch.ones(2, 0, 1))


def test_toeplitz_stays_on_the_kernels_device():
    K = torch.arange(4.0, device="meta")
    assert cv.toeplitz(K).device == K.device


def test_ssm_kernel_dispatches_diagonal_to_vandermonde():
    lam, Bb, C = stable_system(5, 4, 2, 3, diagonal=True)
    torch.testing.assert_close(cv.ssm_kernel(lam, Bb, C, 9), cv.vandermonde_kernel(lam, Bb, C, 9),
                               rtol=0, atol=0)


def test_kernel_rejects_non_integer_length():
    with pytest.raises(TypeError, match="L: expected an int"):
        cv.ssm_kernel(torch.eye(2), torch.ones(2, 1), torch.ones(1, 2), 4.0)


@pytest.mark.parametrize("exercise_id", ["2.1", "2.2", "2.3", "2.4", "2.5"])
def test_exercise_references_pass_their_own_check(exercise_id, capsys):
    exercises.check(exercise_id, exercises.registry(exercise_id).reference)
    assert "✔" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id", ["2.1", "2.2", "2.3", "2.4", "2.5"])
def test_exercise_stub_fails_cleanly(exercise_id):
    def stub(*args):
        raise NotImplementedError(f"Exercise {exercise_id}")
    with pytest.raises(exercises.ExerciseFailed, match="not attempted yet"):
        exercises.check(exercise_id, stub)


def test_circular_fft_is_wrong_without_padding():
    """The pitfall the chapter shows: an unpadded FFT product wraps the end into the start."""
    x = torch.zeros(16, dtype=torch.float64)
    x[-1] = 1.0
    K = torch.ones(16, dtype=torch.float64)
    circular = torch.fft.irfft(torch.fft.rfft(x) * torch.fft.rfft(K), n=16)
    assert circular[0] == pytest.approx(1.0)                      # the future leaked into t=0
    check(cv.causal_conv(x, K, "fft")[:-1], torch.zeros(15, dtype=torch.float64), "causal: no leak")
