"""The autograder of the notebooks' exercises: ``check("N.k", answer)``.

Each chapter's exercises live in ``ssmcourse.exercises.chNN`` as a dict ``EXERCISES`` of
:class:`Exercise`. An exercise runs the learner's function and the reference on a fixed list of
cases (random and awkward inputs, seeded), compares them with :func:`ssmcourse.check.compare`,
and reports the first failing case with a hint. A learner's error never crashes the checker: it is
caught and explained. Failure raises :class:`ExerciseFailed` so that graders (nbgrader) see it.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import torch

from ..check import CheckFailed, compare


class ExerciseFailed(CheckFailed):
    """The learner's answer did not pass. Shows as its message only in Jupyter."""


@dataclass(frozen=True)
class Case:
    """One input to try: ``describe`` says what is special about it."""

    describe: str
    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Exercise:
    """An exercise: the reference solution, the cases to try and a hint."""

    title: str
    reference: Callable
    cases: Callable[[], list[Case]]
    hint: str
    rtol: float | None = None
    atol: float | None = None
    diagnose: Callable[[Any, Any, Case], str | None] | None = None
    """``diagnose(actual, expected, case)`` names a typical mistake that explains a mismatch."""


_ID = re.compile(r"^(\d+)\.(\d+)$")


def registry(exercise_id: str) -> Exercise:
    """The :class:`Exercise` with id ``"N.k"``; ``ValueError`` for an unknown id."""
    match = _ID.match(str(exercise_id))
    if not match:
        raise ValueError(f"exercise_id: got {exercise_id!r}, expected a string like '1.2'")
    try:
        chapter = importlib.import_module(f"{__name__}.ch{int(match.group(1)):02d}")
    except ModuleNotFoundError:
        raise ValueError(f"exercise_id: chapter {match.group(1)} has no exercises") from None
    if exercise_id not in chapter.EXERCISES:
        known = ", ".join(sorted(chapter.EXERCISES))
        raise ValueError(f"exercise_id: got {exercise_id!r}, expected one of {known}")
    return chapter.EXERCISES[exercise_id]


def _outcome(answer: Callable, case: Case) -> tuple[str, Any]:
    """Run the learner's function on one case: ('ok', value) or ('error', message)."""
    try:
        return "ok", answer(*case.args, **case.kwargs)
    except NotImplementedError:
        return "todo", None
    except Exception as err:  # noqa: BLE001 - a learner's bug must be reported, not crash us
        return "error", f"{type(err).__name__}: {err}"


def _compare_outputs(actual, expected, ex: Exercise) -> str | None:
    if isinstance(expected, tuple):
        if not isinstance(actual, tuple) or len(actual) != len(expected):
            got = f"a tuple of {len(actual)}" if isinstance(actual, tuple) else type(actual).__name__
            return f"expected a tuple of {len(expected)} values, got {got}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            diff = _compare_outputs(a, e, ex)
            if diff:
                return f"output {i}: {diff}"
        return None
    if (isinstance(actual, torch.Tensor) and isinstance(expected, torch.Tensor)
            and expected.is_floating_point() and actual.dtype != expected.dtype):
        return f"dtype: got {actual.dtype}, expected {expected.dtype} (keep the inputs' dtype)"
    try:
        return compare(actual, expected, rtol=ex.rtol, atol=ex.atol)
    except TypeError as err:
        return str(err)


def _diagnosis(ex: Exercise, actual, expected, case: Case) -> str | None:
    """The exercise's explanation of a wrong answer, if it recognises the mistake."""
    if ex.diagnose is None:
        return None
    try:
        return ex.diagnose(actual, expected, case)
    except Exception:  # noqa: BLE001 - a diagnosis is a bonus; it must never hide the real report
        return None


def same(actual, expected) -> bool:
    """Does ``actual`` match ``expected`` (same shape, within tolerance)? For diagnoses."""
    return isinstance(actual, torch.Tensor) and compare(actual, expected) is None


def check(exercise_id: str, answer: Callable) -> None:
    """Grade ``answer`` for exercise ``exercise_id`` (e.g. ``"1.2"``).

    Prints ``✔ Exercise N.k ...`` when every case passes; otherwise raises
    :class:`ExerciseFailed` naming the first failing case, what went wrong and a hint.
    """
    ex = registry(exercise_id)
    head = f"Exercise {exercise_id} ({ex.title})"
    if not callable(answer):
        raise ExerciseFailed(f"✘ {head}: expected a function, got {type(answer).__name__}")
    cases = ex.cases()
    for case in cases:
        status, actual = _outcome(answer, case)
        if status == "todo":
            raise ExerciseFailed(f"✘ {head}: not attempted yet — replace the "
                                 f"`raise NotImplementedError` with your code.\n  Hint: {ex.hint}")
        if status == "error":
            problem = f"your function raised {actual}"
        else:
            expected = ex.reference(*case.args, **case.kwargs)
            problem = _compare_outputs(actual, expected, ex)
            likely = _diagnosis(ex, actual, expected, case) if problem else None
            problem = f"{problem}\n  Likely cause: {likely}" if likely else problem
        if problem:
            raise ExerciseFailed(f"✘ {head}, case '{case.describe}': {problem}\n  Hint: {ex.hint}")
    print(f"✔ {head}: all {len(cases)} cases pass")
