"""Measuring time and memory honestly on a shared, noisy machine.

* :func:`measure`: the median wall time of a call, after a warm-up (:func:`times`: all of them).
* :func:`loglog_slope`: the growth exponent of a measured curve (1 = linear, 2 = quadratic).
* :func:`peak_memory`: how much a call raises the peak resident memory (Linux);
  :func:`peak_memory_growth` measures it in a fresh process for several sizes.
"""
from __future__ import annotations

import importlib
import json
import math
import statistics
import subprocess
import sys
import time
from typing import Callable, Sequence


def times(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls of ``fn()``, after ``warmup`` calls."""
    if repeat < 1:
        raise ValueError(f"repeat: got {repeat}, expected >= 1")
    for _ in range(warmup):
        fn()
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return seconds


def measure(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    return statistics.median(times(fn, repeat, warmup))


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of ``log y`` against ``log x``: y ∝ x^slope."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError(f"xs, ys: expected two sequences of equal length >= 2, got {len(xs)} and {len(ys)}")
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    num = sum((a - mx) * (b - my) for a, b in zip(lx, ly))
    return num / sum((a - mx) ** 2 for a in lx)


def crossover(lengths: Sequence[int], slow: Sequence[float], fast: Sequence[float]) -> int | None:
    """The smallest length from which ``fast`` beats ``slow`` at every longer length measured
    (``None`` if it never does): a crossover that one lucky timing cannot fake."""
    if not len(lengths) == len(slow) == len(fast):
        raise ValueError(f"lengths, slow, fast: expected equal lengths, got {len(lengths)}, "
                         f"{len(slow)}, {len(fast)}")
    for i, length in enumerate(lengths):
        if all(f < s for f, s in zip(fast[i:], slow[i:])):
            return length
    return None


def _status_bytes(field: str) -> int:
    """A memory field of /proc/self/status (Linux), in bytes."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/self/status has no field {field}")


def peak_memory(fn: Callable[[], object]) -> int:
    """Bytes by which ``fn()`` raised this process's peak resident memory above its resident
    memory at the start (Linux: the peak is reset through /proc/self/clear_refs)."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # reset the peak (VmHWM) to the current resident size
    base = _status_bytes("VmRSS")
    fn()
    return _status_bytes("VmHWM") - base


def peak_memory_growth(target: str, sizes: Sequence[int], warmup_size: int = 1) -> list[int]:
    """:func:`peak_memory` of ``target(size)`` for each size, measured in a fresh process.

    ``target`` is ``"module:function"``; the function takes one int. A warm-up call
    ``target(warmup_size)`` comes first so that lazy imports and allocator start-up are not
    counted. PyTorch's CPU allocations are invisible to ``tracemalloc``, hence resident memory.
    """
    if not sizes:
        raise ValueError("sizes: expected at least one size, got none")
    args = [target, str(warmup_size), *map(str, sizes)]
    out = subprocess.run([sys.executable, "-m", "ssmcourse.bench", *args],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _child(target: str, warmup_size: int, sizes: list[int]) -> list[int]:
    module, name = target.split(":")
    fn = getattr(importlib.import_module(module), name)
    fn(warmup_size)
    return [peak_memory(lambda size=size: fn(size)) for size in sizes]


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3:]])))
