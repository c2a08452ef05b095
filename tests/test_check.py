import math

import numpy as np
import pytest
import torch

from ssmcourse.check import CheckFailed, check, compare


def test_check_prints_tolerance_not_error(capsys):
    check(torch.ones(3), torch.ones(3) + 1e-7, "close")
    out = capsys.readouterr().out
    assert out.startswith("✔ close") and "rtol=1e-05" in out


@pytest.mark.parametrize("actual, expected, fragment", [
    (torch.ones(3), torch.ones(4), "shape: got (3,), expected (4,)"),
    (torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.1]), "1 of 2 values differ"),
    (torch.tensor([math.nan]), torch.tensor([1.0]), "NaN"),
    (torch.tensor([True, False]), torch.tensor([True, True]), "1 of 2 values differ"),
])
def test_check_failure_is_readable(actual, expected, fragment):
    with pytest.raises(CheckFailed, match="✘ label") as err:
        check(actual, expected, "label")
    assert fragment in str(err.value)


def test_compare_tolerance_follows_dtype():
    a = torch.tensor([1.0], dtype=torch.float64)
    assert compare(a, a + 1e-7) is not None                       # float64: tight
    assert compare(a.float(), (a + 1e-7).float()) is None         # float32: loose
    assert compare(a, a + 1e-3, rtol=1e-2) is None                 # explicit tolerance wins


def test_compare_accepts_numbers_arrays_and_matching_infinities():
    assert compare(2.0, np.array(2.0)) is None
    assert compare(torch.tensor([-math.inf, 1.0]), torch.tensor([-math.inf, 1.0])) is None
    assert compare(torch.tensor([math.inf]), torch.tensor([1.0])) is not None


def test_compare_rejects_non_arrays_with_a_named_argument():
    with pytest.raises(TypeError, match="actual: expected a tensor"):
        compare("text", torch.ones(1))


def test_check_failed_renders_without_traceback():
    lines = CheckFailed("✘ boom")._render_traceback_()
    assert len(lines) == 1 and "boom" in lines[0]
