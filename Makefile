# Bounceback - the README's commands. Everything installs into .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: help install run demo screenshot email-snapshots test lint typecheck validate static security unit openapi build bench fuzz clean

help:
	@echo "make run    - start the local stack (no AWS account needed)"
	@echo "make demo   - a rejection, the break and a quiet week on a manual clock, as e-mails"
	@echo "make test   - install everything, then lint, type-check, validate the template and run all tests"
	@echo "make security - the attack tests and the static checks of template.yaml (cfn-lint, checkov)"
	@echo "make openapi - regenerate openapi.json from the code"
	@echo "make email-snapshots - picture every e-mail kind at 360 px into docs/emails/"
	@echo "make build  - sam build (needs python3.12 via pyenv)"
	@echo "make bench  - run the benchmarks under bench/"
	@echo "make fuzz   - Schemathesis against a fresh local stack (FUZZ_EXAMPLES per operation)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/bounceback local

demo: $(STAMP)
	$(BIN)/bounceback demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

validate: $(STAMP)
	$(BIN)/sam validate --lint

# checkov pins its own boto3, so it lives in a venv of its own. Offline: no downloads.
CHECKOV_VENV := .venv-checkov
$(CHECKOV_VENV)/.installed:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet checkov==3.3.30
	touch $@

static: validate $(CHECKOV_VENV)/.installed
	BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov -f template.yaml --config-file .checkov.yaml --skip-download

security: $(STAMP) static
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m security

openapi: $(STAMP)
	$(BIN)/python scripts/generate_openapi.py

test: lint typecheck static
	$(BIN)/python -m pytest -n 2 --dist loadgroup

screenshot: $(STAMP)
	UPDATE_SCREENSHOT=1 $(BIN)/python -m pytest -q tests/browser -k "rejection or phone_screenshots"

email-snapshots: $(STAMP)
	$(BIN)/python scripts/email_snapshots.py

build: $(STAMP)
	PYENV_VERSION=3.12.1 $(BIN)/sam build

bench: $(STAMP)
	$(BIN)/python bench/api_requests.py

# Examples per operation and phase; the seed makes a run repeatable.
FUZZ_EXAMPLES ?= 200
FUZZ_SEED ?= 20270201

fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.run --max-examples $(FUZZ_EXAMPLES) --seed $(FUZZ_SEED)

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
