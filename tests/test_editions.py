"""The student edition: no solution leaks, every stub fails its check cleanly, and exercise cells
depend on nothing but the setup cell (the same cells pass in the instructor edition)."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ssmcourse.editions import BEGIN, END, strip_solution, student_notebook, write_student_edition

NOTEBOOKS = sorted(Path(__file__).parent.parent.glob("notebooks/*.ipynb"))


def exercise_cells(nb):
    """[setup cell, (solution cell, check cell), ...] of a notebook."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    pairs = [(c, code[i + 1]) for i, c in enumerate(code) if BEGIN in c.source]
    return code[0], pairs


def run_exercises(nb):
    """Execute only the setup cell and the exercise cells; return the executed notebook."""
    setup, pairs = exercise_cells(nb)
    mini = nbformat.v4.new_notebook()
    mini.cells = [setup] + [cell for pair in pairs for cell in pair]
    mini.metadata = nb.metadata
    NotebookClient(mini, timeout=300, allow_errors=True, kernel_name="python3").execute()
    return mini


def errors(cell):
    return [o for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_solution_leaks(path):
    instructor = nbformat.read(path, as_version=4)
    student = student_notebook(instructor)
    _, pairs = exercise_cells(instructor)
    assert pairs, f"{path.name} has no exercises"
    _, student_pairs = exercise_cells(student)
    assert student_pairs == []          # no markers left anywhere
    for cell in student.cells:
        assert BEGIN not in cell.source and END not in cell.source
        if cell.cell_type == "code":
            assert cell.outputs == [] and "hide-input" not in cell.metadata.get("tags", [])
    # A solution line may legitimately appear elsewhere (in prose code, a docstring); it leaks
    # if the student edition holds it more often than the instructor edition outside solutions.
    outside = [line.strip() for c in instructor.cells for line in strip_outside(c.source)]
    student_lines = [line.strip() for c in student.cells for line in c.source.splitlines()]
    for solution, _ in pairs:
        body = solution.source.split(BEGIN)[1].split(END)[0]
        for line in {s.strip() for s in body.splitlines()} - {""}:
            assert student_lines.count(line) <= outside.count(line), f"solution line leaked: {line!r}"


def strip_outside(source):
    """The lines of ``source`` outside solution regions."""
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() in (BEGIN, END):
            inside = line.strip() == BEGIN
        elif not inside:
            lines.append(line)
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stubs_fail_cleanly_and_solutions_pass(path):
    instructor = nbformat.read(path, as_version=4)
    student = run_exercises(student_notebook(instructor))
    setup, pairs = exercise_cells(student)
    assert not errors(setup)
    for stub, check_cell in pairs:
        assert not errors(stub), stub.source
        (err,) = errors(check_cell)
        assert err.ename == "ExerciseFailed" and "not attempted yet" in err.evalue, err.evalue
    solved = run_exercises(instructor)
    assert not any(errors(c) for c in solved.cells)


def test_strip_solution_keeps_indentation_and_rejects_unbalanced_markers(tmp_path):
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    assert strip_solution(src, "9.9") == 'def f(x):\n    raise NotImplementedError("Exercise 9.9")'
    with pytest.raises(ValueError, match="without"):
        strip_solution("    ### BEGIN SOLUTION\n", "9.9")
    written = write_student_edition(Path(__file__).parent.parent / "notebooks", tmp_path)
    assert len(written) == len(NOTEBOOKS)
