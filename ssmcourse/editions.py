"""The student edition: the chapter notebooks with every solution removed.

``python -m ssmcourse.editions notebooks student`` (or ``make student``) writes, for each
notebook, a copy in which the region between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
becomes ``raise NotImplementedError("Exercise N.k")`` (at the same indentation), outputs are
cleared and the ``hide-input`` tag is dropped. The markers follow nbgrader's convention (for
nbgrader itself, the cells must also be marked in its Create Assignment view).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
EXERCISE_HEADING = re.compile(r"^###\s+Exercise\s+(\d+\.\d+)", re.MULTILINE)


def strip_solution(source: str, exercise_id: str) -> str:
    """Replace each solution region of ``source`` by a ``NotImplementedError`` stub."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("Exercise {exercise_id}")')
        elif line.strip() == END:
            if not inside:
                raise ValueError(f"Exercise {exercise_id}: '{END}' without '{BEGIN}'")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"Exercise {exercise_id}: '{BEGIN}' without '{END}'")
    return "\n".join(out)


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with solutions stubbed, outputs cleared and solution cells shown."""
    nb = nbformat.from_dict(nb)
    exercise_id = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = EXERCISE_HEADING.findall(cell.source)
            exercise_id = found[-1] if found else exercise_id
            continue
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        if BEGIN in cell.source:
            if exercise_id is None:
                raise ValueError(f"a solution cell has no '### Exercise N.k' heading before it:\n{cell.source[:200]}")
            cell.source = strip_solution(cell.source, exercise_id)
            tags = [t for t in cell.metadata.get("tags", []) if t != "hide-input"]
            cell.metadata["tags"] = tags
    return nb


def write_student_edition(src: Path, dst: Path) -> list[Path]:
    """Write the student edition of every ``src/*.ipynb`` into ``dst``; return the new paths."""
    src, dst = Path(src), Path(dst)
    notebooks = sorted(src.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"src: no notebooks found in {src}")
    dst.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        nb = student_notebook(nbformat.read(path, as_version=4))
        nbformat.write(nb, dst / path.name)
        written.append(dst / path.name)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m ssmcourse.editions SRC_DIR DST_DIR")
    for p in write_student_edition(Path(sys.argv[1]), Path(sys.argv[2])):
        print(f"wrote {p}")
