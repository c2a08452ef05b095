"""Argument checks shared by the package: every message names the argument, what it got and
what was expected."""
from __future__ import annotations

import math

import torch


def tensor(x, name: str, ndim: int | tuple[int, ...] | None = None,
           floating: bool = True) -> torch.Tensor:
    """Return ``x`` if it is a tensor of the expected rank (and a floating/complex dtype)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: expected a torch.Tensor, got {type(x).__name__}")
    ranks = (ndim,) if isinstance(ndim, int) else ndim
    if ranks is not None and x.dim() not in ranks:
        want = " or ".join(f"{r}-D" for r in ranks)
        raise ValueError(f"{name}: expected a {want} tensor, got shape {tuple(x.shape)}")
    if floating and not (x.is_floating_point() or x.is_complex()):
        raise TypeError(f"{name}: expected a floating-point or complex dtype, got {x.dtype}")
    return x


def dim(x: torch.Tensor, name: str, axis: int, size: int, meaning: str) -> None:
    """Require ``x.shape[axis] == size``; ``meaning`` says what the size must agree with."""
    if x.shape[axis] != size:
        raise ValueError(f"{name}: expected shape[{axis}] = {size} ({meaning}), "
                         f"got shape {tuple(x.shape)}")


def positive(value, name: str) -> float:
    """Return ``value`` as a float if it is a finite number > 0."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"{name}: expected a positive scalar, got shape {tuple(value.shape)}")
        value = value.item()
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"{name}: expected a positive number, got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name}: expected a finite number > 0, got {value}")
    return float(value)


def integer(value, name: str, minimum: int) -> int:
    """Return ``value`` if it is an int >= ``minimum``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return value
