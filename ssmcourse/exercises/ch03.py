"""Exercises of Chapter 3 (SSD: state space models are structured attention).
References call ``ssmcourse.ssd``."""
from __future__ import annotations

import torch

from .. import ssd
from . import Case, Exercise


def _rng() -> torch.Generator:
    return torch.Generator().manual_seed(3)


def _ssd_inputs(g, b, l, h, p, n, decay=1.0, dtype=torch.float32):
    X = torch.randn(b, l, h, p, generator=g, dtype=dtype)
    A = -decay * torch.rand(b, l, h, generator=g, dtype=dtype)
    B = torch.randn(b, l, h, n, generator=g, dtype=dtype) / n ** 0.5
    C = torch.randn(b, l, h, n, generator=g, dtype=dtype) / n ** 0.5
    return X, A, B, C


def _segsum_cases() -> list[Case]:
    g = _rng()
    return [Case("length 1", (torch.tensor([-0.7]),)),
            Case("length 5, float64", (-torch.rand(5, generator=g, dtype=torch.float64),)),
            Case("batch axes (2, 3), length 7", (torch.randn(2, 3, 7, generator=g),)),
            Case("fp32, length 1024, strong decay (a difference of cumsums loses digits here)",
                 (-5 * torch.rand(1024, generator=g),))]


def _matrix_cases() -> list[Case]:
    g = _rng()
    def case(describe, b, l, h, n, decay=1.0):
        _, A, B, C = _ssd_inputs(g, b, l, h, 1, n, decay)
        return Case(describe, (A, B, C))
    return [case("l = 1", 1, 1, 1, 2), case("l = 6, one head, n = 1", 1, 6, 1, 1),
            case("b = 2, l = 9, 3 heads, n = 4", 2, 9, 3, 4),
            case("l = 40, strong decay", 1, 40, 2, 3, decay=8.0)]


def _linear_attention_cases() -> list[Case]:
    g = _rng()
    def case(describe, b, l, h, n, p):
        return Case(describe, (torch.randn(b, l, h, n, generator=g),
                               torch.randn(b, l, h, n, generator=g),
                               torch.randn(b, l, h, p, generator=g)))
    return [case("l = 1", 1, 1, 1, 2, 3), case("l = 5, n = 1, p = 1", 1, 5, 1, 1, 1),
            case("b = 2, l = 11, 3 heads, n = 4, p = 2", 2, 11, 3, 4, 2),
            case("l = 64, n = 8, p = 5", 1, 64, 2, 8, 5)]


def _chunk_step_reference(X, A, B, C, state):
    return ssd.ssd_recurrent(X, A, B, C, initial_state=state)


def _chunk_step_cases() -> list[Case]:
    g = _rng()
    def case(describe, b, q, h, p, n, decay=1.0, zero_state=False):
        X, A, B, C = _ssd_inputs(g, b, q, h, p, n, decay)
        state = torch.zeros(b, h, p, n) if zero_state else torch.randn(b, h, p, n, generator=g)
        return Case(describe, (X, A, B, C, state))
    return [case("chunk of length 1", 1, 1, 1, 2, 2),
            case("q = 4, zero entering state", 1, 4, 1, 3, 2, zero_state=True),
            case("b = 2, q = 7, 3 heads, p = 2, n = 5", 2, 7, 3, 2, 5),
            case("q = 16, strong decay", 1, 16, 2, 4, 4, decay=6.0)]


EXERCISES = {
    "3.1": Exercise(
        title="a stable segsum",
        reference=ssd.segsum,
        cases=_segsum_cases,
        hint="Repeat x along a new axis, zero the entries with k <= j, cumsum down the columns "
             "(dim=-2), then put -inf above the diagonal. Never subtract two long cumsums.",
    ),
    "3.2": Exercise(
        title="build the semiseparable matrix M",
        reference=ssd.ssd_matrix,
        cases=_matrix_cases,
        hint="L = exp(segsum(A over time)) per head, shape (b, h, l, l); C Bᵀ per head is "
             "C.transpose(1, 2) @ B.permute(0, 2, 3, 1); M = L * C Bᵀ. Mind the axes: A is (b, l, h).",
        rtol=1e-4, atol=1e-5,
    ),
    "3.3": Exercise(
        title="causal linear attention as a recurrence",
        reference=ssd.causal_linear_attention,
        cases=_linear_attention_cases,
        hint="Keep a state S of shape (b, h, p, n) starting at zero; at each step "
             "S = S + v_t k_tᵀ (an outer product) and y_t = S q_t. No decay: a_t = 1.",
        rtol=1e-4, atol=1e-4,
    ),
    "3.4": Exercise(
        title="one chunk of the chunked algorithm",
        reference=_chunk_step_reference,
        cases=_chunk_step_cases,
        hint="Y = (L ∘ C Bᵀ) X inside the chunk (step 1) plus exp(cumsum of A up to t) · C_t "
             "applied to the entering state (step 4); the new state is exp(sum of A) · state + "
             "Σ_t exp(Σ_{k>t} A_k) x_t B_tᵀ (steps 2 and 3). Return (Y, new_state).",
        rtol=1e-4, atol=1e-4,
    ),
}
