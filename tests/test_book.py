"""The book builds offline with warnings as errors, and shows what nbval checked."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.book
def test_book_builds_without_warnings(tmp_path):
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jb), "build", str(ROOT), "--path-output", str(tmp_path),
                             "--warningiserror", "--nitpick", "--keep-going"],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    html = tmp_path / "_build" / "html"
    chapter = (html / "notebooks" / "01_linear_recurrence.html").read_text()
    assert "✔ EMA loop == 1-state SSM scan" in chapter            # stored outputs are shown
    assert "BEGIN SOLUTION" in chapter and "toggle" in chapter    # solutions present, folded
    assert "Gu" in (html / "book" / "bibliography.html").read_text()
    for page in ["book/preface", "book/notation", "book/instructors", "notebooks/02_convolution_view",
                 "notebooks/03_ssd_duality"]:
        assert (html / f"{page}.html").exists(), page


def test_stated_runtimes_are_within_budget_and_agree_with_the_readme():
    import re

    import nbformat

    readme = (ROOT / "README.md").read_text()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        header = nbformat.read(path, as_version=4).cells[0].source
        stated = re.search(r"runtime ≈ (\d+) s on 2 CPU cores", header)
        assert stated, f"{path.name}: no measured runtime in its header"
        seconds = int(stated.group(1))
        assert seconds <= 120, f"{path.name}: {seconds} s is over the 120 s budget"
        assert re.search(rf"`notebooks/{path.name}` \| ≈ {seconds} s \|", readme), path.name
