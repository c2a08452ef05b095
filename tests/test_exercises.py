"""The autograder: references pass their own checks; wrong, crashing and unattempted answers get
a clean ExerciseFailed with a hint, never a crash of the checker."""
import importlib
import pkgutil

import pytest
import torch

import ssmcourse.exercises as ex

CHAPTERS = sorted(m.name for m in pkgutil.iter_modules(ex.__path__) if m.name.startswith("ch"))
IDS = [eid for ch in CHAPTERS for eid in importlib.import_module(f"ssmcourse.exercises.{ch}").EXERCISES]


def test_every_chapter_has_at_least_four_exercises():
    for ch in CHAPTERS:
        assert len(importlib.import_module(f"ssmcourse.exercises.{ch}").EXERCISES) >= 4, ch


@pytest.mark.parametrize("eid", IDS)
def test_reference_passes(eid, capsys):
    ex.check(eid, ex.registry(eid).reference)
    assert capsys.readouterr().out.startswith(f"✔ Exercise {eid}")


def _perturb(value):
    if isinstance(value, tuple):
        return (_perturb(value[0]),) + value[1:]
    if isinstance(value, torch.Tensor):
        return ~value if value.dtype == torch.bool else value + 1
    if isinstance(value, bool):
        return not value
    return value + 1


@pytest.mark.parametrize("eid", IDS)
def test_wrong_answer_names_the_case_and_gives_a_hint(eid):
    reference = ex.registry(eid).reference
    with pytest.raises(ex.ExerciseFailed, match=r"(?s)case '.+'.*Hint: "):
        ex.check(eid, lambda *a, **k: _perturb(reference(*a, **k)))


@pytest.mark.parametrize("eid", IDS)
def test_crashing_and_unattempted_answers_are_explained(eid):
    def crashes(*args, **kwargs):
        raise IndexError("index 5 is out of bounds")

    def todo(*args, **kwargs):
        raise NotImplementedError(f"Exercise {eid}")

    with pytest.raises(ex.ExerciseFailed, match="your function raised IndexError: index 5"):
        ex.check(eid, crashes)
    with pytest.raises(ex.ExerciseFailed, match="not attempted yet"):
        ex.check(eid, todo)
    with pytest.raises(ex.ExerciseFailed, match="expected a function, got int"):
        ex.check(eid, 3)


def test_wrong_type_of_result_is_reported_not_crashing():
    with pytest.raises(ex.ExerciseFailed, match="expected a tensor, array or number, got str"):
        ex.check("1.1", lambda x, alpha: "a string")
    with pytest.raises(ex.ExerciseFailed, match=r"shape: got \(0,\), expected \(1,\)"):
        ex.check("1.1", lambda x, alpha: x[:0])


@pytest.mark.parametrize("eid, message", [("1.99", "expected one of 1.1"), ("x", "expected a string like '1.2'"),
                                          ("99.1", "chapter 99 has no exercises")])
def test_unknown_exercise_id(eid, message):
    with pytest.raises(ValueError, match=message):
        ex.check(eid, lambda: None)


def _late_scan(Ab, Bb, C, x):
    h, ys = torch.zeros(Ab.shape[1], dtype=x.dtype), []
    for A_t, B_t, x_t in zip(Ab, Bb, x):
        ys.append(C @ h)                       # read before the update: one step late
        h = A_t @ h + B_t @ x_t
    return torch.stack(ys)


def _circular_conv(x, K):
    l = x.shape[-1]
    return torch.fft.irfft(torch.fft.rfft(x, n=l) * torch.fft.rfft(K[..., :l], n=l), n=l)


@pytest.mark.parametrize("eid, answer, cause", [
    ("1.3", _late_scan, "one step late"),
    ("2.3", _circular_conv, "circular convolution"),
    ("2.4", lambda K: ex.registry("2.4").reference(K).transpose(-1, -2), "transpose of T"),
])
def test_typical_mistakes_are_named(eid, answer, cause):
    with pytest.raises(ex.ExerciseFailed, match=f"Likely cause: .*{cause}"):
        ex.check(eid, answer)


def test_unrelated_wrong_answer_gets_no_diagnosis():
    with pytest.raises(ex.ExerciseFailed) as err:
        ex.check("1.3", lambda Ab, Bb, C, x: torch.zeros(x.shape[0], C.shape[0], dtype=x.dtype))
    assert "Likely cause" not in str(err.value)
