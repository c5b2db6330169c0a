# mande: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8501
# The demo listens on this machine only. `make demo ADDRESS=0.0.0.0` opens it to the network: only
# do that behind sign-in (see the README, "Deploying for a team"), since without it everyone is admin.
ADDRESS ?= 127.0.0.1
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
# Keep the demo's database inside the checkout unless the user chose another.
export MANDE_DATA_DIR ?= $(CURDIR)/.mande-demo

.PHONY: demo test install install-test lint typecheck sample-data bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade "pip>=24"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[test]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make demo: install, load the sample mission into the embedded database, serve the dashboard
demo: $(VENV)/.installed
	$(BIN)/mande demo load sample_data
	$(BIN)/streamlit run dashboard/serve.py --server.headless true --server.port $(PORT) \
		--server.address $(ADDRESS) --browser.gatherUsageStats false

## make test: install what the tests need and run the whole suite: the self-contained tests on two
## workers, then all the others (they share servers: PostgreSQL's cluster-wide roles, the demo,
## Chromium) one at a time
PARALLEL_TESTS := tests/unit tests/ui tests/realworld
test: $(VENV)/.installed-test
	$(BIN)/ruff check mande dashboard tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15 $(PYTEST_ARGS) $(PARALLEL_TESTS)
	$(BIN)/python -m pytest --durations=15 $(PYTEST_ARGS) $(addprefix --ignore=,$(PARALLEL_TESTS))

lint:
	$(BIN)/ruff check mande dashboard tests benchmarks
	$(BIN)/ruff format --check mande dashboard tests benchmarks

typecheck:
	$(BIN)/mypy

## Re-create sample_data/ from the generator (fixed seed: the files come out the same)
sample-data: $(VENV)/.installed
	$(BIN)/mande demo generate sample_data

bench: $(VENV)/.installed-test
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .mande-demo .pytest_cache .mypy_cache .ruff_cache
