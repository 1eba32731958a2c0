# Two entry points: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test sandbox screenshots bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,share]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/gmtui --demo

test: $(BIN)/.installed
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

sandbox: $(BIN)/.installed
	$(BIN)/gmtui sandbox

screenshots: $(BIN)/.installed
	$(BIN)/python scripts/screenshots.py screenshots

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/tui.py
	$(BIN)/python benchmarks/reliability.py

clean:
	rm -rf $(VENV) build dist *.egg-info
