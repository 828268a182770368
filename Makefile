# The two commands of the README: `make demo` (the main job on bundled data) and `make test`.
# Both create the virtual environment .venv with python3 -m venv if it is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint env clean-demo app lab

env: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m kloe_nb.demo

test: $(STAMP)
	@bash tools/need_chromium.sh
	@bash tools/need_libreoffice.sh
	@bash tools/need_postgresql.sh
	$(BIN)/python -m pytest

# The inner loop: everything but the browser tests and the whole-batch runs (make test runs all).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser and not slow"

# Lint, format check and type check, as CI runs them.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The assessment app (Voila) and JupyterLab on one store: make app STORE=kloe.db [COUNCILS=file.csv]
STORE ?= kloe.db
app: $(STAMP)
	$(BIN)/kloe app --store $(STORE) $(if $(COUNCILS),--councils $(COUNCILS))

lab: $(STAMP)
	$(BIN)/kloe lab --store $(STORE)

clean-demo:
	rm -rf runs/handbooks runs/demo
