# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint venv bench template dist clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/infusion-billing demo -o out/InfusionBilling-demo.xlsx

# Lint and types (configuration in pyproject.toml). ruff gets the real udfs/ and macros/ folders, mypy
# the package (which reaches them through the links), so each file is checked once.
lint: $(STAMP)
	$(BIN)/ruff check addin udfs macros
	$(BIN)/mypy -p infusion_billing

test: $(STAMP) lint
	$(BIN)/python -m pytest tests --ignore=tests/contract
	XLWINGS_ON_SERVER=true XLWINGS_LICENSE_KEY=noncommercial $(BIN)/python -m pytest tests/contract

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

template: $(STAMP)
	$(BIN)/infusion-billing template -o workbook_templates/InfusionBilling.xlsx

# A pure-Python wheel and an sdist in dist/, as the release workflow publishes them.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist
	@ls dist

clean:
	rm -rf $(VENV) out build dist *.egg-info addin/*.egg-info
