"""Measuring time and memory honestly on a shared, noisy machine.

* :func:`measure`: the median wall time of a call, after a warm-up.
* :func:`loglog_slope`: the growth exponent of a measured curve (1 = linear, 2 = quadratic).
* :func:`peak_memory_growth`: peak resident memory of a function, measured in a fresh
  subprocess (PyTorch's CPU allocations are invisible to ``tracemalloc``).
"""
from __future__ import annotations

import importlib
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from typing import Callable, Sequence


def measure(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    if repeat < 1:
        raise ValueError(f"repeat: got {repeat}, expected >= 1")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of ``log y`` against ``log x``: y ∝ x^slope."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError(f"xs, ys: expected two sequences of equal length >= 2, got {len(xs)} and {len(ys)}")
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    num = sum((a - mx) * (b - my) for a, b in zip(lx, ly))
    return num / sum((a - mx) ** 2 for a in lx)


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def peak_memory_growth(target: str, sizes: Sequence[int]) -> list[float]:
    """Peak memory (bytes) that ``target(size)`` adds, for each size, in a fresh process.

    ``target`` is ``"module:function"``; the function takes one int. Sizes run in increasing
    order after a warm-up at the smallest size; each result is the process's peak resident
    memory minus the peak after warm-up (so imports and allocator start-up are not counted).
    """
    if list(sizes) != sorted(sizes) or not sizes:
        raise ValueError(f"sizes: expected a non-empty increasing sequence, got {list(sizes)}")
    out = subprocess.run([sys.executable, "-m", "ssmcourse.bench", target, *map(str, sizes)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _child(target: str, sizes: list[int]) -> list[float]:
    module, name = target.split(":")
    fn = getattr(importlib.import_module(module), name)
    fn(sizes[0])
    base = _maxrss_bytes()
    growth = []
    for size in sizes:
        fn(size)
        growth.append(float(_maxrss_bytes() - base))
    return growth


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], [int(s) for s in sys.argv[2:]])))
