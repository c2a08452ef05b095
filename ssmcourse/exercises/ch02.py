"""Exercises of Chapter 2 (the convolution view). The references call the package functions."""
from __future__ import annotations

import torch

from ..convolution import (causal_conv, s4d_kernel, s4d_lin, s4d_real, ssm_kernel, toeplitz,
                           vandermonde_kernel)
from . import Case, Exercise, same


def _stable_dense(gen: torch.Generator, n: int, m: int, p: int, dtype=torch.float64):
    A = torch.randn(n, n, generator=gen, dtype=dtype)
    A = 0.9 * A / torch.linalg.eigvals(A).abs().max().to(dtype)  # spectral radius 0.9
    B = torch.randn(n, m, generator=gen, dtype=dtype)
    return A, B, torch.randn(p, n, generator=gen, dtype=dtype)


def _powers_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(20)
    cases = []
    for describe, (n, m, p, L) in [("SISO, n=3, L=10", (3, 1, 1, 10)),
                                   ("L=1: only K_0 = C B", (4, 1, 1, 1)),
                                   ("multichannel m=2, p=3, odd L=17", (5, 2, 3, 17)),
                                   ("n=1, L=64", (1, 1, 1, 64))]:
        cases.append(Case(describe, _stable_dense(gen, n, m, p) + (L,)))
    A, B, C = _stable_dense(gen, 4, 2, 2, dtype=torch.float32)
    cases.append(Case("float32, L=33", (A, B, C, 33)))
    return cases


def _vandermonde_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(21)

    def system(n, m, p, complex_=True):
        dtype = torch.complex128 if complex_ else torch.float64
        r = 0.2 + 0.79 * torch.rand(n, generator=gen, dtype=torch.float64)
        if complex_:
            lam = torch.polar(r, 6.28 * torch.rand(n, generator=gen, dtype=torch.float64))
        else:  # real eigenvalues of both signs: negative ones make the kernel alternate
            lam = r * torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0).to(r.dtype)
        B = torch.randn(n, m, generator=gen, dtype=dtype)
        return lam, B, torch.randn(p, n, generator=gen, dtype=dtype)

    lam0, B0, C0 = system(3, 1, 2)
    lam0[1] = 0  # Ā has a zero eigenvalue: λ^0 = 1 (0⁰ = 1), λ^k = 0 for k ≥ 1
    return [Case("complex λ, SISO, L=12", system(4, 1, 1) + (12,)),
            Case("a zero eigenvalue λ = 0 (0⁰ = 1), complex, L=6", (lam0, B0, C0, 6)),
            Case("L=1", system(3, 1, 1) + (1,)),
            Case("real λ, m=2, p=3, odd L=31", system(5, 2, 3, complex_=False) + (31,)),
            Case("n=1, long L=200", system(1, 1, 1) + (200,))]


def _fft_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(22)
    r = lambda *shape: torch.randn(*shape, generator=gen, dtype=torch.float64)  # noqa: E731
    return [Case("1-D, l = L = 16", (r(16), r(16))),
            Case("length 1", (r(1), r(1))),
            Case("odd length 37, batch axes (2, 3)", (r(2, 3, 37), r(2, 3, 37))),
            Case("one kernel per channel: x (4, 3, 50), K (3, 50)", (r(4, 3, 50), r(3, 50))),
            Case("short kernel: x (2, 64), K (5,)", (r(2, 64), r(5)))]


def _wrapped_around(actual, expected, case: Case) -> str | None:
    x, K = case.args
    l = x.shape[-1]
    circular = torch.fft.irfft(torch.fft.rfft(x, n=l) * torch.fft.rfft(K[..., :l], n=l), n=l)
    if same(actual, circular):
        return ("this is the circular convolution: without padding, the end of the sequence "
                "wraps around onto its start (Section 2.4 shows the pitfall).")
    return None


def _transposed(actual, expected, case: Case) -> str | None:
    if same(actual, expected.transpose(-1, -2)):
        return "your matrix is the transpose of T: row i must hold the weights of output i."
    return None


def _toeplitz_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(23)
    return [Case("L = 5", (torch.randn(5, generator=gen, dtype=torch.float64),)),
            Case("L = 1", (torch.randn(1, generator=gen, dtype=torch.float64),)),
            Case("K = 0, 1, 2, ... (check the orientation)", (torch.arange(6.0),)),
            Case("odd L = 33", (torch.randn(33, generator=gen, dtype=torch.float64),))]


def _s4d_cases() -> list[Case]:
    gen = torch.Generator().manual_seed(24)
    c128 = torch.complex128

    def params(d, n, A):
        log_dt = torch.empty(d, dtype=torch.float64).uniform_(-6.9, -2.3, generator=gen)  # Δ ≤ 0.1
        C = torch.randn(d, n, generator=gen, dtype=c128)
        return log_dt, A.to(c128), C

    A_rand = torch.complex(-torch.exp(torch.randn(3, 5, generator=gen, dtype=torch.float64)),
                           torch.randn(3, 5, generator=gen, dtype=torch.float64))
    return [Case("S4D-Lin, d=2, n=4, L=16", params(2, 4, s4d_lin(2, 4)) + (16,)),
            Case("L = 1", params(1, 3, s4d_lin(1, 3)) + (1,)),
            Case("S4D-Real, odd L=37", params(3, 6, s4d_real(3, 6)) + (37,)),
            Case("random A = -exp(A_log) + i A_imag, L=100", params(3, 5, A_rand) + (100,))]


EXERCISES = {
    "2.1": Exercise(
        title="the kernel from matrix powers",
        reference=ssm_kernel,
        cases=_powers_cases,
        hint=("Think of the impulse response: tap k is what the recurrence outputs k steps after a "
              "single input. Avoid recomputing a matrix power for every k; what can you carry "
              "from one tap to the next? Mind the order of the axes: tap first."),
    ),
    "2.2": Exercise(
        title="the Vandermonde kernel of a diagonal SSM",
        reference=vandermonde_kernel,
        cases=_vandermonde_cases,
        hint=("With a diagonal Ā, Ā^k is diagonal too, so each tap is a sum over the n modes of "
              "C-column × λ^k × B-row. Build all the powers at once as a table indexed by (tap, "
              "mode), then contract. Pitfalls: keep complex dtypes complex, and check what your "
              "power does at λ = 0 for k = 0 (it must give 0⁰ = 1, not NaN)."),
    ),
    "2.3": Exercise(
        title="causal convolution by FFT",
        reference=lambda x, K: causal_conv(x, K, method="fft"),
        cases=_fft_cases,
        hint=("The FFT computes a circular convolution: think about how long the transforms must "
              "be so that the end of the sequence never wraps around onto its start, and which "
              "samples of the result are the causal outputs. Taps longer than the sequence "
              "can never reach an output."),
        diagnose=_wrapped_around,
    ),
    "2.4": Exercise(
        title="the Toeplitz matrix of a kernel",
        reference=toeplitz,
        cases=_toeplitz_cases,
        hint=("Look at (2.3): which entry of K belongs on each diagonal, and what goes above the "
              "diagonal? Check the orientation with K = 0, 1, 2, ...: the first column should "
              "be the kernel itself."),
        diagnose=_transposed,
    ),
    "2.5": Exercise(
        title="the S4D kernel",
        reference=s4d_kernel,
        cases=_s4d_cases,
        hint=("Two steps: discretise each mode (ZOH with B = 1, one step size per channel), then "
              "the Vandermonde sum of Exercise 2.2 per channel. Remember the conjugate modes that "
              "are not stored. The check allows a slightly relaxed tolerance because computing "
              "e^{ΔA} - 1 directly loses digits when ΔA is tiny; torch.expm1 avoids that."),
        rtol=1e-7,
        atol=1e-10,
    ),
}
