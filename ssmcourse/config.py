"""The one size knob of the course: ``SSMCOURSE_SIZE`` = ``ci`` (default) or ``full``."""
from __future__ import annotations

import os

SIZES = ("ci", "full")
SIZE = os.environ.get("SSMCOURSE_SIZE", "ci")
if SIZE not in SIZES:
    raise ValueError(f"SSMCOURSE_SIZE: got {SIZE!r}, expected one of {SIZES}")


def pick(ci, full):
    """Return ``ci`` at the default size and ``full`` when ``SSMCOURSE_SIZE=full``."""
    return full if SIZE == "full" else ci
