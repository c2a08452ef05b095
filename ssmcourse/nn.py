"""Small ``torch.nn`` layers of the course, each one readable top to bottom.

* :class:`S4D` (Chapter 2): a diagonal linear time-invariant SSM layer, trained as a convolution
  and run as a recurrence.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from . import _validate as v
from .convolution import causal_conv, s4d_discretize, s4d_kernel, s4d_lin, s4d_real

INITS = {"lin": s4d_lin, "real": s4d_real}


class S4D(nn.Module):
    """S4D layer: ``d`` independent channels, each a diagonal SSM with ``n`` complex modes.

    Parameters (shapes): ``A_log, A_imag (d,n)`` with ``A = -exp(A_log) + i·A_imag``, so that
    ``Re A < 0`` whatever the optimiser does (every mode decays: the layer stays stable);
    ``log_dt (d,)`` the log step size; ``C (d,n,2)`` a complex ``C`` stored as real pairs;
    ``D (d,)`` the skip connection. ``B = 1`` (absorbed into ``C``).

    ``forward(x (b,d,l), mode)``: ``"conv"`` (a causal convolution with the kernel, by FFT or
    directly, for training in parallel) or ``"recurrent"`` (a loop of :meth:`step`, for
    inference); both return ``y (b,d,l)`` and agree to rounding.
    """

    def __init__(self, d: int, n: int = 32, init: str = "lin", dt_min: float = 1e-3,
                 dt_max: float = 1e-1):
        super().__init__()
        if init not in INITS:
            raise ValueError(f"init: got {init!r}, expected one of {tuple(INITS)}")
        A = INITS[init](v.integer(d, "d", 1), v.integer(n, "n", 1))
        self.A_log = nn.Parameter(torch.log(-A.real))
        self.A_imag = nn.Parameter(A.imag)
        lo, hi = math.log(v.positive(dt_min, "dt_min")), math.log(v.positive(dt_max, "dt_max"))
        self.log_dt = nn.Parameter(torch.rand(d) * (hi - lo) + lo)  # log-uniform Δ in [min, max]
        self.C = nn.Parameter(torch.randn(d, n, 2) * 0.5)  # complex, E|C_i|² = 2·0.5² = 0.5
        self.D = nn.Parameter(torch.randn(d))

    def A(self) -> torch.Tensor:
        """The continuous state matrix (diagonal) ``(d,n)``: ``-exp(A_log) + i·A_imag``."""
        return torch.complex(-torch.exp(self.A_log), self.A_imag)

    def kernel(self, L: int) -> torch.Tensor:
        """The layer's kernel ``(d, L)``: see :func:`ssmcourse.convolution.s4d_kernel`."""
        return s4d_kernel(self.log_dt, self.A(), torch.view_as_complex(self.C), L)

    def step(self, h: torch.Tensor, x_t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One recurrent step: ``h (b,d,n)`` complex, ``x_t (b,d)`` → ``(y_t (b,d), h_t)``."""
        return self._step(*s4d_discretize(self.log_dt, self.A()), h, x_t)

    def _step(self, Ab, Bb, h, x_t):
        h = Ab * h + Bb * x_t[..., None]                       # (b, d, n): O(n) per channel
        y = 2 * torch.einsum("dn,bdn->bd", torch.view_as_complex(self.C), h).real
        return y + self.D * x_t, h

    def forward(self, x: torch.Tensor, mode: str = "conv", method: str = "fft") -> torch.Tensor:
        """``x (b,d,l)`` → ``y (b,d,l)``; ``method`` ("fft" or "direct") is for ``mode="conv"``."""
        v.tensor(x, "x", ndim=3)
        v.dim(x, "x", 1, self.D.shape[0], "the layer's channels d")
        if mode == "conv":
            return causal_conv(x, self.kernel(x.shape[-1]), method) + self.D[:, None] * x
        if mode == "recurrent":
            Ab, Bb = s4d_discretize(self.log_dt, self.A())    # once, not at every step
            dtype = torch.promote_types(x.dtype, torch.complex64)
            h = torch.zeros(*x.shape[:2], self.A_log.shape[1], dtype=dtype)
            ys = []
            for t in range(x.shape[-1]):
                y_t, h = self._step(Ab, Bb, h, x[..., t])
                ys.append(y_t)
            return torch.stack(ys, dim=-1)
        raise ValueError(f"mode: got {mode!r}, expected 'conv' or 'recurrent'")
