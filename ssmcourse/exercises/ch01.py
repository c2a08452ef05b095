"""Exercises of Chapter 1 (linear recurrences). References call ``ssmcourse.recurrence``."""
from __future__ import annotations

import torch

from .. import recurrence
from . import Case, Exercise, same

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


def _bilinear_diagonal_cases() -> list[Case]:
    g = _rng()
    def system(n, m):
        return -torch.rand(n, generator=g, dtype=F64) * 3, torch.randn(n, m, generator=g, dtype=F64)
    return [Case("n = 1, m = 1", (*system(1, 1), 0.1)),
            Case("n = 4, m = 3, a large step", (*system(4, 3), 2.0)),
            Case("an eigenvalue exactly 0 (an integrator)", (torch.tensor([0.0, -2.0], dtype=F64),
                                                              torch.ones(2, 2, dtype=F64), 0.3))]


def _time_varying_reference(Ab, Bb, C, x):
    h = torch.zeros(1, Ab.shape[1], dtype=x.dtype)
    ys = []
    for t in range(x.shape[0]):
        y_t, h = recurrence.step(Ab[t], Bb[t], C, h, x[t][None])
        ys.append(y_t[0])
    return torch.stack(ys)


def _one_step_late(actual, expected, case: Case) -> str | None:
    late = torch.cat([torch.zeros_like(expected[:1]), expected[:-1]])
    if expected.shape[0] > 1 and same(actual, late):  # at length 1 "late" is just zeros
        return ("every output is the right one, one step late: y_t must be read from the state "
                "after x_t was added (the course's convention, Section 1.2).")
    return None


def _time_varying_cases() -> list[Case]:
    g = _rng()
    def case(describe, n, m, p, l):
        Ab = torch.randn(l, n, n, generator=g, dtype=F64) / (2 * n ** 0.5)
        return Case(describe, (Ab, torch.randn(l, n, m, generator=g, dtype=F64),
                               torch.randn(p, n, generator=g, dtype=F64),
                               torch.randn(l, m, generator=g, dtype=F64)))
    return [case("n = 3, m = 2, p = 4, length 9", 3, 2, 4, 9), case("length 1", 2, 1, 1, 1),
            case("n = 1 (a scalar state)", 1, 1, 1, 6), case("n = 8, length 64", 8, 2, 3, 64)]


def _bilinear_cases() -> list[Case]:
    g = _rng()
    def case(describe, n, m, delta):
        A = torch.randn(n, n, generator=g, dtype=F64) - 2 * torch.eye(n, dtype=F64)
        return Case(describe, (A, torch.randn(n, m, generator=g, dtype=F64), delta))
    return [case("n = 1", 1, 1, 0.1), case("n = 3, m = 2", 3, 2, 0.05),
            case("n = 5, a large step", 5, 1, 1.5)]


def _max_euler_step_reference(lams: torch.Tensor) -> torch.Tensor:
    # |1 + Δλ|² < 1  ⇔  Δ (Δ|λ|² + 2 Re λ) < 0  ⇔  Δ < -2 Re λ / |λ|²
    return (-2 * lams.real / lams.abs() ** 2).min()


def _max_euler_step_cases() -> list[Case]:
    g = _rng()
    C128 = torch.complex128
    return [Case("one real eigenvalue -4", (torch.tensor([-4.0 + 0j], dtype=C128),)),
            Case("-0.5 and -10 (the fast mode decides)", (torch.tensor([-0.5 + 0j, -10 + 0j], dtype=C128),)),
            Case("a lightly damped oscillation -0.1 ± 3i", (torch.tensor([-0.1 + 3j, -0.1 - 3j], dtype=C128),)),
            Case("16 random complex eigenvalues", (torch.complex(-torch.rand(16, generator=g, dtype=F64) * 5 - 0.1,
                                                                 torch.randn(16, generator=g, dtype=F64) * 4),))]


EXERCISES = {
    "1.1": Exercise("the EMA without a loop over time", _ema_reference, _ema_cases,
                    "unroll (1.1): h_t = sum over s <= t of (1-alpha)·alpha^(t-s)·x_s. That is a "
                    "lower-triangular l×l matrix times x. Watch alpha = 0: 0**0 must be 1."),
    "1.2": Exercise("bilinear discretisation of a diagonal A", recurrence.bilinear,
                    _bilinear_diagonal_cases,
                    "with a diagonal A every matrix in the bilinear formulas is diagonal, so the "
                    "inverse is an elementwise 1/(...), and B̄ scales row i of B by a number."),
    "1.3": Exercise("a time-varying recurrence", _time_varying_reference, _time_varying_cases,
                    "the same recurrence (1.2), but step t uses Ab[t] and Bb[t]. Start from a zero "
                    "state; the output at step t must already include x[t].",
                    diagnose=_one_step_late),
    "1.4": Exercise("bilinear discretisation of a dense A", recurrence.bilinear, _bilinear_cases,
                    "torch.linalg.solve(M, R) computes M⁻¹ R without forming the inverse; the same "
                    "M = I - Δ/2·A appears in Ā and in B̄."),
    "1.5": Exercise("the largest stable Euler step, for complex eigenvalues", _max_euler_step_reference,
                    _max_euler_step_cases,
                    "Euler maps λ to 1 + Δλ. Write |1 + Δλ|² < 1 with λ = a + ib and solve for Δ; "
                    "every eigenvalue must satisfy it."),
}
