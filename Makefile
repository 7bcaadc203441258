# One obvious way to run things. `make dev` and `make test` are the README's two commands.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := libs/contracts libs/runtime libs/replicas libs/devstack libs/cli $(wildcard services/*)
INSTALLED := $(VENV)/.installed
# pytest workers for `make test` (pytest-xdist); `make test PYTEST_WORKERS=` runs in one process.
PYTEST_WORKERS ?= 2

.PHONY: dev test unit fuzz lint format deploy-check contracts bench bench-smoke faults clean

$(INSTALLED): constraints.txt requirements-dev.txt $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	@$(PYTHON) -c "import sys; assert sys.version_info >= (3, 11)" 2>/dev/null || { echo "make: Kulturbro needs Python 3.11 or newer (found: $(PYTHON)); run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
		$(foreach p,$(PACKAGES),-e $(p)) -r requirements-dev.txt
	touch $@

dev: $(INSTALLED)  ## set up and run all of Kulturbro with demo data
	$(BIN)/kulturbro dev

test: $(INSTALLED)  ## lint, deployment checks, every test against real servers, the benchmarks small
	@command -v chromium >/dev/null || echo "make test: the browser tests need Debian's chromium (apt-get install -y chromium); they skip without it, and fail when CI=true"
	$(MAKE) --no-print-directory lint deploy-check
	$(BIN)/python -m pytest $(if $(PYTEST_WORKERS),-n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder)
	$(MAKE) --no-print-directory bench-smoke

unit: $(INSTALLED)
	$(BIN)/python -m pytest -m "not integration and not e2e and not browser"

fuzz: $(INSTALLED)  ## the gateway's fuzz test at its full budget, every phase (the suite runs a smaller one)
	KULTURBRO_FUZZ=full $(BIN)/python -m pytest tests/integration/test_gateway_fuzz.py

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs services

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

deploy-check: $(INSTALLED)  ## validate docker-compose.yml and the k8s manifests; replay the Dockerfile with no package index
	PATH=$(abspath $(BIN)):$$PATH bash deploy/validate.sh

contracts: $(INSTALLED)  ## refresh the committed AsyncAPI document after changing a contract
	$(BIN)/python -m kulturbro_contracts.asyncapi --write

bench: $(INSTALLED)  ## every benchmark at full size (minutes)
	$(BIN)/python -m bench

bench-smoke: $(INSTALLED)  ## every benchmark at a size of seconds: that each still runs
	$(BIN)/python -m bench --smoke

faults: $(INSTALLED)  ## kill, stop and refuse each piece of a stack of its own under load; a table (minutes)
	$(BIN)/kulturbro faults

clean:
	rm -rf $(VENV) .kulturbro
