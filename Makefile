# Two commands: `make demo` and `make test`. Each sets up what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint unit postgres clean bench screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The browser libraries (htmx, Cytoscape.js) from the npm registry, exactly as pinned in
# web/frontend/package-lock.json, copied into the package's static/vendor/ (git-ignored).
# Order-only for the venv stamp: every target that sets up the venv builds them once,
# and rebuilding them does not reinstall the venv.
FRONTEND := src/fraudlink/web/static/vendor/.built
.PHONY: frontend
frontend: $(FRONTEND)
$(FRONTEND): web/frontend/package.json web/frontend/package-lock.json web/frontend/build.sh
	bash web/frontend/build.sh
	touch $(FRONTEND)
$(STAMP): | $(FRONTEND)

demo: $(STAMP)
	$(BIN)/fraudlink demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# scripts/postgres-up.sh installs PostgreSQL with apt where missing, starts a
# throwaway server on loopback and prints its URL; the store tests run on it.
# scripts/chromium-up.sh installs Debian's Chromium for the browser tests.
test: lint
	bash scripts/chromium-up.sh
	FRAUDLINK_TEST_PG_URL="$$(bash scripts/postgres-up.sh)" \
		$(BIN)/python -m pytest -q -p no:cacheprovider

# The browser tests, saving their screenshots for the README.
screenshots: $(STAMP)
	bash scripts/chromium-up.sh
	FRAUDLINK_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e

bench: $(STAMP)
	$(BIN)/python benchmarks/simulate.py
	$(BIN)/python benchmarks/detect.py
	$(BIN)/python benchmarks/exchange.py
	$(BIN)/python benchmarks/investigate.py
	$(BIN)/python benchmarks/payee_check.py
	$(BIN)/python benchmarks/web.py

clean:
	rm -rf $(VENV) build src/*.egg-info .mypy_cache .ruff_cache
