"""Exercises of Chapter 1 (linear recurrences). References call ``ssmcourse.recurrence``."""
from __future__ import annotations

import torch

from .. import recurrence
from . import Case, Exercise

F64 = torch.float64


def _rng() -> torch.Generator:
    return torch.Generator().manual_seed(1)


def _ema_reference(x: torch.Tensor, alpha: float) -> torch.Tensor:
    a = torch.tensor([alpha], dtype=x.dtype)
    y, _ = recurrence.scan(a, torch.tensor([[1 - alpha]], dtype=x.dtype),
                           torch.ones(1, 1, dtype=x.dtype), x[None, :, None])
    return y[0, :, 0]


def _ema_cases() -> list[Case]:
    g = _rng()
    return [Case("length 1", (torch.tensor([2.0], dtype=F64), 0.5)),
            Case("alpha = 0 (no memory)", (torch.randn(5, generator=g, dtype=F64), 0.0)),
            Case("length 7, alpha = 0.9", (torch.randn(7, generator=g, dtype=F64), 0.9)),
            Case("length 200, alpha = 0.99", (torch.randn(200, generator=g, dtype=F64), 0.99))]


def _zoh_cases() -> list[Case]:
    g = _rng()
    def system(n, m):
        return -torch.rand(n, generator=g, dtype=F64) * 3, torch.randn(n, m, generator=g, dtype=F64)
    return [Case("n = 1, m = 1", (*system(1, 1), 0.1)),
            Case("n = 4, m = 3, large step", (*system(4, 3), 2.0)),
            Case("a nearly-zero eigenvalue -1e-10", (torch.tensor([-1e-10, -1.0], dtype=F64),
                                                      torch.ones(2, 1, dtype=F64), 0.5)),
            Case("an eigenvalue exactly 0 (an integrator)", (torch.tensor([0.0, -2.0], dtype=F64),
                                                              torch.ones(2, 2, dtype=F64), 0.3))]


def _scan_reference(Ab, Bb, C, x):
    return recurrence.scan(Ab, Bb, C, x[None])[0][0]


def _scan_cases() -> list[Case]:
    g = _rng()
    def case(describe, n, m, p, l):
        Ab = torch.randn(n, n, generator=g, dtype=F64) / (2 * n ** 0.5)
        return Case(describe, (Ab, torch.randn(n, m, generator=g, dtype=F64),
                               torch.randn(p, n, generator=g, dtype=F64),
                               torch.randn(l, m, generator=g, dtype=F64)))
    return [case("length 1", 2, 1, 1, 1), case("n = 1 (a scalar state)", 1, 1, 1, 6),
            case("n = 3, m = 2, p = 4, length 9", 3, 2, 4, 9),
            case("n = 8, length 64", 8, 2, 3, 64)]


def _bilinear_cases() -> list[Case]:
    g = _rng()
    def case(describe, n, m, delta):
        A = torch.randn(n, n, generator=g, dtype=F64) - 2 * torch.eye(n, dtype=F64)
        return Case(describe, (A, torch.randn(n, m, generator=g, dtype=F64), delta))
    return [case("n = 1", 1, 1, 0.1), case("n = 3, m = 2", 3, 2, 0.05),
            case("n = 5, a large step", 5, 1, 1.5)]


def _max_euler_step_reference(lams: torch.Tensor) -> torch.Tensor:
    return 2 / lams.abs().max()


def _max_euler_step_cases() -> list[Case]:
    g = _rng()
    return [Case("one eigenvalue -4", (torch.tensor([-4.0], dtype=F64),)),
            Case("eigenvalues -0.5 and -10", (torch.tensor([-0.5, -10.0], dtype=F64),)),
            Case("16 random eigenvalues", (-torch.rand(16, generator=g, dtype=F64) * 50 - 0.1,))]


EXERCISES = {
    "1.1": Exercise("exponential moving average", _ema_reference, _ema_cases,
                    "keep one number h; for each x_t set h = alpha*h + (1-alpha)*x_t and record h. "
                    "Start from h = 0 and return a tensor of the same length as x."),
    "1.2": Exercise("zero-order hold for a diagonal A", recurrence.zoh, _zoh_cases,
                    "Ā = exp(ΔA) and B̄ = (exp(ΔA) - 1)/A · B row by row. Use torch.expm1 to avoid "
                    "cancellation when ΔA is tiny, and the limit Δ·B where A = 0 (torch.where).",
                    rtol=1e-7, atol=1e-12),
    "1.3": Exercise("the sequential scan", _scan_reference, _scan_cases,
                    "h starts at zeros(n); for t in range(l): h = Ab @ h + Bb @ x[t]; y[t] = C @ h. "
                    "The output at step t must already include x[t]."),
    "1.4": Exercise("bilinear discretisation", recurrence.bilinear, _bilinear_cases,
                    "with I the identity: Ā = (I - Δ/2·A)⁻¹ (I + Δ/2·A) and B̄ = (I - Δ/2·A)⁻¹ Δ B; "
                    "torch.linalg.solve(M, R) computes M⁻¹ R."),
    "1.5": Exercise("the largest stable Euler step", _max_euler_step_reference,
                    _max_euler_step_cases,
                    "Euler maps λ to 1 + Δλ. For real λ < 0, |1 + Δλ| < 1 exactly when Δ < 2/|λ|; "
                    "the most negative eigenvalue decides."),
}
