# The course's commands. Each one creates (or reuses) the virtual environment .venv first.
#   make book   build the HTML book into _build/html (warnings are errors)
#   make test   run every test: package, property tests, notebooks (nbval), student edition, book
#   make lab    write the student edition if missing, then open JupyterLab (widgets work)
#   make student  write the student edition (solutions removed) into student/
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test lab student bench clean

$(STAMP): requirements.txt pyproject.toml .ci/constraints-cpu.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c .ci/constraints-cpu.txt -r requirements.txt -e .
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build --warningiserror --nitpick --keep-going .

test: $(STAMP)
	$(BIN)/python -m pytest

lab: $(STAMP)
	test -d student || $(BIN)/python -m ssmcourse.editions notebooks student
	$(BIN)/jupyter lab

student: $(STAMP)
	$(BIN)/python -m ssmcourse.editions notebooks student

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ssd.py

clean:
	rm -rf _build student
