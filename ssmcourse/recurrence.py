"""Chapter 1: linear recurrences.

A continuous state space model ``h'(t) = A h(t) + B x(t), y(t) = C h(t)`` is discretised with
a step ``Δ`` into ``h_t = Ā h_{t-1} + B̄ x_t, y_t = C h_t`` (the course's convention, as in S4
and Mamba: the output at step t already sees x_t) and run as a scan from ``h_{-1} = 0``.

Shapes: ``n`` state size, ``m`` input channels, ``p`` output channels, ``b`` batch, ``l`` length.
``A`` is dense ``(n, n)`` or diagonal ``(n,)`` (real or complex); ``B (n, m)``; ``C (p, n)``.
"""
from __future__ import annotations

import torch

from . import _validate as v

METHODS = ("zoh", "bilinear", "euler")


def _check_system(A: torch.Tensor, B: torch.Tensor, C: torch.Tensor | None = None) -> int:
    """Validate ``A (n,n) | (n,)``, ``B (n,m)``, ``C (p,n)``; return ``n``."""
    v.tensor(A, "A", ndim=(1, 2))
    n = A.shape[0]
    if A.dim() == 2:
        v.dim(A, "A", 1, n, "a dense A must be square")
    v.tensor(B, "B", ndim=2)
    v.dim(B, "B", 0, n, "the state size of A")
    if C is not None:
        v.tensor(C, "C", ndim=2)
        v.dim(C, "C", 1, n, "the state size of A")
    return n


def zoh(A: torch.Tensor, B: torch.Tensor, delta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Zero-order hold: ``Ā = exp(ΔA)``, ``B̄ = A⁻¹(exp(ΔA) - I) B`` (exact for held inputs).

    Dense ``A`` uses the block exponential ``exp(Δ[[A, B], [0, 0]]) = [[Ā, B̄], [0, I]]``,
    which also holds for singular ``A``. Diagonal ``A`` uses ``expm1(ΔA)/A`` (→ Δ as A → 0).
    """
    _check_system(A, B)
    delta = v.positive(delta, "delta")
    n, m = B.shape
    if A.dim() == 1:
        dA = delta * A
        safe = torch.where(A == 0, torch.ones_like(A), A)
        scale = torch.where(A == 0, torch.full_like(A, delta), torch.expm1(dA) / safe)
        return torch.exp(dA), scale[:, None] * B
    block = torch.zeros(n + m, n + m, dtype=torch.promote_types(A.dtype, B.dtype))
    block[:n, :n], block[:n, n:] = A, B
    E = torch.linalg.matrix_exp(delta * block)
    return E[:n, :n], E[:n, n:]


def bilinear(A: torch.Tensor, B: torch.Tensor, delta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Bilinear (Tustin): ``Ā = (I - ΔA/2)⁻¹(I + ΔA/2)``, ``B̄ = (I - ΔA/2)⁻¹ ΔB``."""
    _check_system(A, B)
    delta = v.positive(delta, "delta")
    if A.dim() == 1:
        inv = 1 / (1 - delta / 2 * A)
        return inv * (1 + delta / 2 * A), (inv * delta)[:, None] * B
    eye = torch.eye(A.shape[0], dtype=A.dtype)
    left = eye - delta / 2 * A
    return torch.linalg.solve(left, eye + delta / 2 * A), torch.linalg.solve(left, delta * B)


def euler(A: torch.Tensor, B: torch.Tensor, delta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward Euler: ``Ā = I + ΔA``, ``B̄ = ΔB`` (first order; can turn stable into unstable)."""
    _check_system(A, B)
    delta = v.positive(delta, "delta")
    if A.dim() == 1:
        return 1 + delta * A, delta * B
    return torch.eye(A.shape[0], dtype=A.dtype) + delta * A, delta * B


def discretize(A: torch.Tensor, B: torch.Tensor, delta: float,
               method: str = "zoh") -> tuple[torch.Tensor, torch.Tensor]:
    """``(Ā, B̄)`` of the continuous system ``(A, B)`` for step ``delta`` > 0.

    ``A (n,n)`` or diagonal ``(n,)``, ``B (n,m)`` → ``Ā`` shaped like ``A``, ``B̄ (n,m)``.
    ``method``: ``"zoh"`` (default), ``"bilinear"`` or ``"euler"``.
    """
    if method not in METHODS:
        raise ValueError(f"method: got {method!r}, expected one of {METHODS}")
    return {"zoh": zoh, "bilinear": bilinear, "euler": euler}[method](A, B, delta)


def step(Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, h: torch.Tensor,
         x_t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of the recurrence: ``h_t = Ā h_{t-1} + B̄ x_t``, ``y_t = C h_t``.

    ``h (b,n)``, ``x_t (b,m)`` → ``(y_t (b,p), h_t (b,n))``. Memory is O(n), whatever the
    length of the stream: this is how an SSM generates, one token at a time.
    """
    if h.dim() != 2 or h.shape[1] != Bb.shape[0] or x_t.shape != (h.shape[0], Bb.shape[1]):
        raise ValueError(f"h, x_t: expected shapes (b, {Bb.shape[0]}) and (b, {Bb.shape[1]}), "
                         f"got {tuple(h.shape)} and {tuple(x_t.shape)}")
    Ah = h * Ab if Ab.dim() == 1 else h @ Ab.transpose(0, 1)
    h = Ah + x_t.to(Bb.dtype) @ Bb.transpose(0, 1)
    return h @ C.to(h.dtype).transpose(0, 1), h


def scan(Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, x: torch.Tensor,
         h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Run the recurrence over a sequence: ``x (b,l,m)`` → ``(y (b,l,p), h_last (b,n))``.

    ``h0 (b,n)`` is the state before the first input (``h_{-1}``; zeros by default).
    Time O(l·n²) (O(l·n) for diagonal ``Ā``); state memory O(n), independent of ``l``.
    """
    n = _check_system(Ab, Bb, C)
    v.tensor(x, "x", ndim=3)
    v.dim(x, "x", 2, Bb.shape[1], "the input channels m of B")
    b, l, _ = x.shape
    dtype = torch.promote_types(Ab.dtype, Bb.dtype)
    h = torch.zeros(b, n, dtype=dtype) if h0 is None else h0.to(dtype)
    if h.shape != (b, n):
        raise ValueError(f"h0: expected shape {(b, n)} (batch, state), got {tuple(h.shape)}")
    ys = []
    for t in range(l):
        y_t, h = step(Ab, Bb, C, h, x[:, t])
        ys.append(y_t)
    y = torch.stack(ys, dim=1) if ys else torch.zeros(b, 0, C.shape[0], dtype=dtype)
    return y, h


def impulse_response(Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, L: int) -> torch.Tensor:
    """The first ``L`` outputs for a unit impulse on each input: ``(L, p, m)``, entry k = ``C Ā^k B̄``.

    Computed by running :func:`scan` on impulses (the recurrence view); Chapter 2 computes the
    same taps as a convolution kernel.
    """
    L = v.integer(L, "L", 1)
    m = Bb.shape[1]
    x = torch.zeros(m, L, m, dtype=Bb.dtype)
    x[torch.arange(m), 0, torch.arange(m)] = 1
    y, _ = scan(Ab, Bb, C, x)  # (m, L, p): batch j holds the response to an impulse on input j
    return y.permute(1, 2, 0)


def spectral_radius(A: torch.Tensor) -> float:
    """Largest eigenvalue magnitude of a dense ``(n,n)`` or diagonal ``(n,)`` matrix."""
    v.tensor(A, "A", ndim=(1, 2))
    eig = A if A.dim() == 1 else torch.linalg.eigvals(A)
    return float(eig.abs().max())


def is_stable(A: torch.Tensor, continuous: bool = False) -> bool:
    """Is the SSM stable? Discrete: every eigenvalue inside the unit circle (``|λ| < 1``).
    Continuous (``continuous=True``): every eigenvalue in the left half plane (``Re λ < 0``)."""
    v.tensor(A, "A", ndim=(1, 2))
    if continuous:
        eig = A if A.dim() == 1 else torch.linalg.eigvals(A)
        return bool((torch.as_tensor(eig).real < 0).all())
    return spectral_radius(A) < 1


def exact_sine_response(A: torch.Tensor, B: torch.Tensor, C: torch.Tensor, omega: float,
                        t: torch.Tensor) -> torch.Tensor:
    """Exact output of the continuous SSM driven by ``x(t) = sin(ωt)`` from ``h(0) = 0``.

    ``A (n,n)`` dense, ``B (n,1)``, ``C (p,n)``, times ``t (T,)`` → ``y (T,p)`` in float64.
    With ``sin ωt = Im e^{iωt}``, a particular solution is ``Im((iωI - A)⁻¹ B e^{iωt})``; the
    homogeneous part ``exp(At)(h(0) - h_p(0))`` fixes the start.
    """
    _check_system(A, B, C)
    v.dim(B, "B", 1, 1, "a single input channel")
    if A.dim() != 2:
        raise ValueError(f"A: expected a dense (n,n) matrix, got shape {tuple(A.shape)}")
    A, B, C, t = (z.to(torch.complex128) for z in (A, B, C, t))
    n = A.shape[0]
    hp0 = torch.linalg.solve(1j * omega * torch.eye(n, dtype=A.dtype) - A, B)[:, 0]  # (n,)
    hp = (hp0[None, :] * torch.exp(1j * omega * t)[:, None]).imag                     # (T, n)
    hom = torch.linalg.matrix_exp(A[None] * t[:, None, None]) @ (-hp0.imag).to(A.dtype)  # (T, n)
    return ((hp + hom.real).to(torch.complex128) @ C.transpose(0, 1)).real


def rotation_scaling(r: float, theta: float) -> torch.Tensor:
    """The real 2×2 matrix ``r·[[cos θ, -sin θ], [sin θ, cos θ]]`` with eigenvalues ``r·e^{±iθ}``:
    each step scales the state by ``r`` and turns it by ``θ``."""
    c, s = torch.cos(torch.tensor(theta)), torch.sin(torch.tensor(theta))
    return r * torch.stack([torch.stack([c, -s]), torch.stack([s, c])])
