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
        title="segsum, one row at a time",
        reference=ssd.segsum,
        cases=_segsum_cases,
        hint="Row i of the result is row i - 1 plus the single new term x[i] in every column "
             "left of the diagonal; the diagonal itself is an empty sum, and everything to its "
             "right is minus infinity. Each entry then sums exactly its own terms, so nothing "
             "cancels, even at length 1024 in fp32.",
    ),
    "3.2": Exercise(
        title="the matrix from the recurrence",
        reference=ssd.ssd_matrix,
        cases=_matrix_cases,
        hint="Column j of M is the output sequence for a unit impulse at step j. Give the "
             "recurrence l input channels at once, channel j being the impulse at step j, in "
             "every head; output channel j is then column j of M. Finally reorder the axes from "
             "(batch, output step, head, channel) to (batch, head, row, column).",
        rtol=1e-4, atol=1e-5,
    ),
    "3.3": Exercise(
        title="linear attention as a recurrence",
        reference=ssd.causal_linear_attention,
        cases=_linear_attention_cases,
        hint="Keep one state per batch element and head that starts at zero and accumulates the "
             "outer product of each value with its key; each output is that state applied to "
             "the query of the same step. There is no decay, and the state never shrinks.",
        rtol=1e-4, atol=1e-4,
    ),
    "3.4": Exercise(
        title="one chunk of the chunked algorithm",
        reference=_chunk_step_reference,
        cases=_chunk_step_cases,
        hint="The output is the chunk's own small masked attention plus the entering state read "
             "out by each step's C, decayed from the chunk's start up to and including that "
             "step. The new state is the entering one decayed through the whole chunk plus "
             "each input's outer product with its B, decayed from the step after it to the "
             "chunk's end.",
        rtol=1e-4, atol=1e-4,
    ),
}
