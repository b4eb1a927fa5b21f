# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := $(shell sed -n '/^name = "uv"$$/{n;s/version = "\(.*\)"/\1/p}' uv.lock)
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_WORKERS ?= 3
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run test lint typecheck check-deploy ci clean bench-deps scale-demo

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c "import uv" 2>/dev/null || $(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv sync --frozen --quiet
	@touch $@

# Links in SMS (sign-in, recovery, certificates) point at this server unless PUBLIC_BASE_URL
# says otherwise: `make run PORT=8080` texts http://127.0.0.1:8080/… links.
run: install
	STATIC_COMPRESSED=1 $(BIN)/python manage.py demo_setup
	@STATIC_COMPRESSED=1 PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}" \
		bash scripts/serve.sh "$(HOST)" "$(PORT)" "$(WEB_WORKERS)"

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy .

# What bench/ needs besides the app: wrk and pgbench (Debian packages, as root) and the
# `bench` dependency group (py-spy). `make install` leaves the group out again.
bench-deps: install
	$(BIN)/uv sync --frozen --quiet --group bench
	command -v wrk >/dev/null && command -v pgbench >/dev/null || \
	  apt-get install -y -qq -o DPkg::Lock::Timeout=300 wrk postgresql-client

# Three app hosts (127.0.0.2-4) behind HAProxy, PgBouncer in transaction mode, one PostgreSQL
# and Redis: checks sessions, rate limits, idempotency, the scheduler and shedding across
# hosts, kills a host under load, and stops everything (bench/scale_demo.py, bench/README.md).
scale-demo: install
	command -v haproxy >/dev/null && command -v pgbouncer >/dev/null || \
	  apt-get install -y -qq -o DPkg::Lock::Timeout=300 haproxy pgbouncer
	$(BIN)/python bench/scale_demo.py $(SCALE_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
