"""``doctor()``: what this machine offers the course, and advice."""
from __future__ import annotations

import importlib
import os
import platform
import sys

from .config import SIZE


def _version(module: str) -> str | None:
    try:
        return importlib.import_module(module).__version__
    except Exception:  # noqa: BLE001 - any import failure means "not available"
        return None


def doctor(verbose: bool = True) -> dict:
    """Print and return the versions and devices the course will use.

    Returns a dict with keys ``python, torch, numpy, triton, device, threads, size, advice``.
    """
    import torch

    cuda = torch.cuda.is_available()
    info = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": _version("numpy"),
        "triton": _version("triton"),
        "device": torch.cuda.get_device_name(0) if cuda else f"cpu ({platform.machine()})",
        "threads": torch.get_num_threads(),
        "size": SIZE,
        "advice": [],
    }
    if sys.version_info < (3, 10):
        info["advice"].append("Python >= 3.10 is required.")
    if not cuda:
        info["advice"].append("No GPU: every chapter runs on the CPU; Triton kernels run in "
                              "Triton's interpreter (TRITON_INTERPRET=1).")
    if info["threads"] < 2 and (os.cpu_count() or 1) > 1:
        info["advice"].append("torch uses one thread; timings will be slower than stated.")
    if verbose:
        for key, value in info.items():
            if key != "advice":
                print(f"{key:>8}: {value}")
        for line in info["advice"]:
            print(f"  advice: {line}")
    return info
