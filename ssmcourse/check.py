"""``check(actual, expected)``: does one view of an algorithm equal another?

Prints a machine-independent ✔ line on success (the tolerance, never the raw error, so that
notebooks stay reproducible under nbval) and raises :class:`CheckFailed` with a readable diff
otherwise. :func:`compare` is the non-raising core, shared with the exercise autograder.
"""
from __future__ import annotations

import numpy as np
import torch

# (rtol, atol) by the less precise dtype of the two operands.
TOLERANCES = {
    torch.float16: (1e-2, 1e-3),
    torch.bfloat16: (2e-2, 1e-2),
    torch.float32: (1e-5, 1e-5),
    torch.complex64: (1e-5, 1e-5),
    torch.float64: (1e-9, 1e-12),
    torch.complex128: (1e-9, 1e-12),
}


class CheckFailed(AssertionError):
    """A comparison failed. In Jupyter it shows as its message only, without a traceback."""

    def _render_traceback_(self) -> list[str]:
        return ["\033[31m" + str(self) + "\033[0m"]


def _as_tensor(value, name: str) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, (np.ndarray, np.generic, float, int, bool, complex, list, tuple)):
        try:
            return torch.as_tensor(np.asarray(value))
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name}: cannot be read as an array ({err})") from None
    raise TypeError(f"{name}: expected a tensor, array or number, got {type(value).__name__}")


def default_tolerance(*tensors: torch.Tensor) -> tuple[float, float]:
    """(rtol, atol) for the least precise floating dtype among ``tensors``."""
    rtol, atol = 0.0, 0.0
    for t in tensors:
        r, a = TOLERANCES.get(t.dtype, (0.0, 0.0))
        rtol, atol = max(rtol, r), max(atol, a)
    return rtol, atol


def compare(actual, expected, rtol: float | None = None, atol: float | None = None) -> str | None:
    """Return ``None`` if ``actual`` matches ``expected`` elementwise, else a readable diff.

    Matching is ``|actual - expected| <= atol + rtol * |expected|``; infinities must match
    exactly; a NaN in ``actual`` where ``expected`` has none is always a mismatch.
    """
    a, e = _as_tensor(actual, "actual"), _as_tensor(expected, "expected")
    if a.shape != e.shape:
        return f"shape: got {tuple(a.shape)}, expected {tuple(e.shape)}"
    if a.dtype == torch.bool or e.dtype == torch.bool:
        wrong = a.to(torch.bool) != e.to(torch.bool)
        if wrong.any():
            return f"{int(wrong.sum())} of {wrong.numel()} values differ: got {a.tolist()}, expected {e.tolist()}"
        return None
    r0, a0 = default_tolerance(a, e)
    rtol = r0 if rtol is None else rtol
    atol = a0 if atol is None else atol
    common = torch.promote_types(torch.promote_types(a.dtype, e.dtype), torch.float64)
    a, e = a.to(common), e.to(common)
    nan_a, nan_e = torch.isnan(a), torch.isnan(e)
    if (nan_a & ~nan_e).any():
        return f"{int((nan_a & ~nan_e).sum())} NaN values where finite values were expected"
    close = torch.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if bool(close.all()):
        return None
    err = torch.where(close, torch.zeros_like(a.real if a.is_complex() else a), (a - e).abs())
    err = torch.nan_to_num(err, nan=float("inf"), posinf=float("inf"))
    worst = np.unravel_index(int(err.argmax()), tuple(a.shape)) if a.dim() else ()
    index = tuple(int(i) for i in worst)
    return (f"{int((~close).sum())} of {close.numel()} values differ (rtol={rtol:.0e}, atol={atol:.0e}); "
            f"worst at index {index}: got {a[index].item():.6g}, expected {e[index].item():.6g}")


def check(actual, expected, label: str = "check", rtol: float | None = None,
          atol: float | None = None) -> None:
    """Print ``✔ label`` if ``actual`` matches ``expected``; raise :class:`CheckFailed` if not.

    ``actual, expected``: tensors, arrays or numbers of the same shape. Tolerances default to
    the less precise dtype's entry in :data:`TOLERANCES`.
    """
    diff = compare(actual, expected, rtol=rtol, atol=atol)
    if diff is not None:
        raise CheckFailed(f"✘ {label}: {diff}")
    a, e = _as_tensor(actual, "actual"), _as_tensor(expected, "expected")
    r0, a0 = default_tolerance(a, e)
    rtol = r0 if rtol is None else rtol
    atol = a0 if atol is None else atol
    print(f"✔ {label}  (shape {tuple(a.shape)}, rtol={rtol:.0e}, atol={atol:.0e})")
