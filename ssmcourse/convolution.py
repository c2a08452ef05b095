"""Chapter 2: the convolution view.

Unrolling the recurrence of Chapter 1 (``h_t = Ā h_{t-1} + B̄ x_t``, ``y_t = C h_t``,
``h_{-1} = 0``) gives a causal convolution with the kernel ``K_k = C Ā^k B̄``::

    y_t = Σ_{k=0}^{t} K_k x_{t-k}

Shapes follow :mod:`ssmcourse.recurrence`: ``Ā`` dense ``(n, n)`` or diagonal ``(n,)`` (real or
complex, already discretised), ``B̄ (n, m)``, ``C (p, n)``; a kernel is ``K (L, p, m)``, tap ``k``
first, exactly like :func:`ssmcourse.recurrence.impulse_response`. :func:`causal_conv` works on
the last axis of any tensor, so per-channel kernels are ``(..., L)``.

The S4D helpers (:func:`s4d_discretize`, :func:`s4d_kernel`, :func:`s4d_lin`, :func:`s4d_real`)
use the S4D convention: ``d`` independent channels, each with ``n`` complex modes standing for
``n`` conjugate pairs, so a real kernel is ``2·Re(...)``, ``B = 1`` and ``Ā = exp(ΔA)`` (ZOH).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from . import _validate as v
from .recurrence import _check_system

METHODS = ("direct", "fft")


def vandermonde_kernel(lam: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor,
                       L: int) -> torch.Tensor:
    """``K_k = C diag(λ)^k B̄`` for a diagonal ``Ā = diag(λ)``: a Vandermonde product.

    ``lam (n,)`` the eigenvalues λ (real or complex), ``Bb (n,m)``, ``C (p,n)`` → ``K (L,p,m)``.
    ``vander[k, i] = λ_i^k`` is a Vandermonde matrix, so ``K = einsum(C, vander, B̄)``:
    O(L·n·p·m) work, no matrix powers.
    """
    _check_system(lam, Bb, C)
    L = v.integer(L, "L", 1)
    if lam.dim() != 1:
        raise ValueError(f"lam: expected the diagonal (n,) of Ā, got shape {tuple(lam.shape)}")
    k = torch.arange(1, L, device=lam.device)
    # (L, n): vander[k, i] = λ_i^k, with λ^0 = 1 written out (torch's complex 0**0 is NaN)
    vander = torch.cat([torch.ones_like(lam)[None], lam[None] ** k[:, None]])
    dtype = torch.promote_types(torch.promote_types(lam.dtype, Bb.dtype), C.dtype)
    return torch.einsum("pn,kn,nm->kpm", C.to(dtype), vander.to(dtype), Bb.to(dtype))


def ssm_kernel(Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, L: int) -> torch.Tensor:
    """The first ``L`` taps of the SSM convolution kernel, ``K_k = C Ā^k B̄``.

    ``Ab (n,n)`` dense or ``(n,)`` diagonal, ``Bb (n,m)``, ``C (p,n)`` → ``K (L,p,m)``.
    Dense ``Ā``: repeated products ``Ā^k B̄`` (O(L·n²·m)); diagonal: :func:`vandermonde_kernel`.
    """
    _check_system(Ab, Bb, C)
    L = v.integer(L, "L", 1)
    if Ab.dim() == 1:
        return vandermonde_kernel(Ab, Bb, C, L)
    dtype = torch.promote_types(torch.promote_types(Ab.dtype, Bb.dtype), C.dtype)
    Ab, AkB, C = Ab.to(dtype), Bb.to(dtype), C.to(dtype)
    taps = []
    for _ in range(L):
        taps.append(C @ AkB)  # (p, m)
        AkB = Ab @ AkB        # Ā^{k+1} B̄ from Ā^k B̄: never form Ā^k itself
    return torch.stack(taps)


def toeplitz(K: torch.Tensor) -> torch.Tensor:
    """The causal Toeplitz matrix of a kernel: ``T[..., i, j] = K[..., i-j]`` if ``j <= i``, else 0.

    ``K (..., L)`` → ``T (..., L, L)``, so that ``T @ x == causal_conv(x, K)`` for ``x (L,)``.
    Row ``i`` holds the weights output ``i`` puts on each past input: a causal "attention" matrix.
    """
    v.tensor(K, "K", floating=False)
    if K.dim() < 1 or K.shape[-1] < 1:
        raise ValueError(f"K: expected shape (..., L) with L >= 1, got {tuple(K.shape)}")
    L = K.shape[-1]
    idx = torch.arange(L, device=K.device)
    lag = idx[:, None] - idx[None, :]                     # (L, L): i - j
    T = K[..., lag.clamp(min=0)]
    return T.masked_fill(lag < 0, 0)


def _conv_direct(x: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """``y_t = Σ_k K_k x_{t-k}`` for ``x, K (N, l)``, ``(N, L)``: grouped conv1d, O(l·L) work."""
    N, l = x.shape
    L = K.shape[-1]
    x_pad = F.pad(x, (L - 1, 0))[None]                           # (1, N, L-1+l): zeros = the past
    return F.conv1d(x_pad, K.flip(-1)[:, None], groups=N)[0]     # conv1d correlates: flip K


def _conv_fft(x: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """The same sum by FFT, O(l log l): pad to ``≥ l + L - 1`` so nothing wraps around."""
    l, L = x.shape[-1], K.shape[-1]
    n = 2 ** math.ceil(math.log2(l + L - 1))
    if x.is_complex() or K.is_complex():
        return torch.fft.ifft(torch.fft.fft(x, n=n) * torch.fft.fft(K, n=n), n=n)[..., :l]
    return torch.fft.irfft(torch.fft.rfft(x, n=n) * torch.fft.rfft(K, n=n), n=n)[..., :l]


def causal_conv(x: torch.Tensor, K: torch.Tensor, method: str = "fft") -> torch.Tensor:
    """Causal convolution over the last axis: ``y[..., t] = Σ_{k=0}^{t} K[..., k] x[..., t-k]``.

    ``x (..., l)``, ``K (..., L)`` whose leading axes broadcast with ``x``'s (e.g. ``x (b,d,l)``,
    ``K (d,L)``) → ``y (..., l)``. Taps beyond ``l`` cannot reach any output and are dropped.
    ``method``: ``"direct"`` (O(l·L)) or ``"fft"`` (O(l log l), zero-padded, never circular).
    """
    v.tensor(x, "x")
    v.tensor(K, "K")
    if x.dim() < 1 or x.shape[-1] < 1:
        raise ValueError(f"x: expected shape (..., l) with l >= 1, got {tuple(x.shape)}")
    if K.dim() < 1 or K.shape[-1] < 1:
        raise ValueError(f"K: expected shape (..., L) with L >= 1, got {tuple(K.shape)}")
    if method not in METHODS:
        raise ValueError(f"method: got {method!r}, expected one of {METHODS}")
    try:
        lead = torch.broadcast_shapes(x.shape[:-1], K.shape[:-1])
    except RuntimeError:
        raise ValueError(f"K: leading axes {tuple(K.shape[:-1])} do not broadcast with x's "
                         f"{tuple(x.shape[:-1])} (x {tuple(x.shape)}, K {tuple(K.shape)})"
                         ) from None
    l = x.shape[-1]
    dtype = torch.promote_types(x.dtype, K.dtype)
    x = x.to(dtype).expand(*lead, l).reshape(-1, l)
    K = K[..., :l].to(dtype)
    K = K.expand(*lead, K.shape[-1]).reshape(-1, K.shape[-1])
    y = (_conv_direct if method == "direct" else _conv_fft)(x, K)
    return y.reshape(*lead, l)


def convolve(Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, x: torch.Tensor,
             method: str = "fft") -> torch.Tensor:
    """The convolution view of :func:`ssmcourse.recurrence.scan`: ``x (b,l,m)`` → ``y (b,l,p)``.

    ``y[:, t, i] = Σ_j Σ_k K[k, i, j] x[:, t-k, j]`` with ``K = ssm_kernel(Ab, Bb, C, l)``:
    one causal convolution per (output, input) channel pair, summed over inputs. ``l >= 1``.
    """
    _check_system(Ab, Bb, C)
    v.tensor(x, "x", ndim=3)
    v.dim(x, "x", 2, Bb.shape[1], "the input channels m of B")
    if x.shape[1] < 1:
        raise ValueError(f"x: expected shape (b, l, m) with l >= 1, got {tuple(x.shape)}")
    K = ssm_kernel(Ab, Bb, C, x.shape[1])                                  # (l, p, m)
    y = causal_conv(x.transpose(1, 2)[:, None], K.permute(1, 2, 0), method)  # (b, p, m, l)
    return y.sum(2).transpose(1, 2)


def s4d_discretize(log_dt: torch.Tensor, A: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """ZOH for S4D's diagonal ``A`` with ``B = 1``: ``Ā = exp(ΔA)``, ``B̄ = (exp(ΔA) - 1)/A``.

    ``log_dt (d,)`` (one step Δ per channel), ``A (d,n)`` complex with ``Re A < 0`` →
    ``Ab, Bb (d,n)`` complex.
    """
    v.tensor(log_dt, "log_dt", ndim=1)
    v.tensor(A, "A", ndim=2)
    v.dim(A, "A", 0, log_dt.shape[0], "one row per channel of log_dt")
    dtA = torch.exp(log_dt)[:, None] * A
    return torch.exp(dtA), torch.expm1(dtA) / A


def s4d_kernel(log_dt: torch.Tensor, A: torch.Tensor, C: torch.Tensor, L: int) -> torch.Tensor:
    """The S4D convolution kernel ``K_k = 2·Re(Σ_i C_i Ā_i^k B̄_i)`` per channel.

    ``log_dt (d,)``, ``A (d,n)`` complex (continuous, ``Re A < 0``), ``C (d,n)`` complex →
    ``K (d,L)`` real. Each channel is a Vandermonde product, as in :func:`vandermonde_kernel`,
    for its own diagonal system (discretised by :func:`s4d_discretize`); the factor 2·Re adds
    the ``n`` conjugate modes that are not stored.
    """
    L = v.integer(L, "L", 1)
    Ab, Bb = s4d_discretize(log_dt, A)                                      # (d, n) each
    v.tensor(C, "C", ndim=2)
    if C.shape != A.shape:
        raise ValueError(f"C: expected shape {tuple(A.shape)} (the shape of A), "
                         f"got {tuple(C.shape)}")
    vander = Ab[..., None] ** torch.arange(L, device=A.device)              # (d, n, L): Ā^k
    return 2 * torch.einsum("dn,dnl->dl", C * Bb, vander).real


def s4d_lin(d: int, n: int) -> torch.Tensor:
    """S4D-Lin initialisation: ``A_k = -1/2 + iπk`` for ``k < n``, in each of ``d`` channels.

    Returns ``A (d,n)`` complex64. The imaginary parts are frequencies spread linearly, so the
    modes form a Fourier-like basis of oscillations that all decay at the same rate.
    """
    d, n = v.integer(d, "d", 1), v.integer(n, "n", 1)
    k = torch.arange(n, dtype=torch.float32)
    return torch.complex(torch.full((d, n), -0.5), (math.pi * k).expand(d, n))


def s4d_real(d: int, n: int) -> torch.Tensor:
    """S4D-Real initialisation: ``A_k = -(k+1)``, real decay rates 1, 2, …, n (no oscillation).

    Returns ``A (d,n)`` complex64 with zero imaginary part (the same code path as S4D-Lin).
    """
    d, n = v.integer(d, "d", 1), v.integer(n, "n", 1)
    k = torch.arange(n, dtype=torch.float32)
    return torch.complex(-(k + 1).expand(d, n), torch.zeros(d, n))
