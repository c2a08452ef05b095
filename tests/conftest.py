"""Shared test settings: float64 by default where a claim is about exactness."""
import os

from hypothesis import settings

settings.register_profile("course", max_examples=40, deadline=None, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))
