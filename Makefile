# fangpin — two commands on a fresh machine: `make demo` and `make test`.
PY      ?= python3.11
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST    ?= 127.0.0.1
PORT    ?= 8000
COUNTY  ?= 130633
SEED    ?= 1

.PHONY: demo test install system-deps lint security test-sqlite test-pg serve clean bench load load-smoke

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

# Browser tests use Debian's chromium (never a downloaded browser); notices need a CJK font; Spark needs Java 17.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || ! ldconfig -p | grep -q libpangoft2 || ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages: chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 openjdk-17-jre-headless"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 openjdk-17-jre-headless >/dev/null; \
	  else echo "need Debian packages chromium, fonts-noto-cjk, pango and Java 17 (run: sudo apt-get install chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 openjdk-17-jre-headless)"; exit 1; fi; \
	fi

demo: install
	FANGPIN_MODE=demo $(BIN)/fangpin migrate --no-input -v0
	FANGPIN_MODE=demo $(BIN)/fangpin load_regions
	FANGPIN_MODE=demo $(BIN)/fangpin seed_policy --province $(shell echo $(COUNTY) | cut -c1-2) --year 2026 --line 7300
	FANGPIN_MODE=demo $(BIN)/fangpin demo_data --county $(COUNTY) --seed $(SEED) --if-empty
	FANGPIN_MODE=demo $(BIN)/fangpin demo_users --county $(COUNTY)
	FANGPIN_MODE=demo $(BIN)/fangpin demo_cases --county $(COUNTY) --seed $(SEED) --if-empty
	FANGPIN_MODE=demo $(BIN)/fangpin demo_screening --county $(COUNTY) --seed $(SEED) --if-empty
	FANGPIN_MODE=demo $(BIN)/fangpin demo_insurance --county $(COUNTY) --if-empty
	FANGPIN_MODE=demo $(BIN)/fangpin demo_grievances --county $(COUNTY) --seed $(SEED) --if-empty
	FANGPIN_MODE=demo $(BIN)/fangpin demo_supervision --county $(COUNTY) --if-empty
	FANGPIN_MODE=demo $(BIN)/fangpin demo_employment --county $(COUNTY) --seed $(SEED) --if-empty
	FANGPIN_MODE=demo $(BIN)/fangpin refresh_dashboards
	@echo "演示系统： http://$(HOST):$(PORT)/  （登录账号见 README）"
	FANGPIN_MODE=demo $(BIN)/fangpin runserver $(HOST):$(PORT) --insecure

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/fangpin makemigrations --check --dry-run -v0

# Security checks (docs/security-input.md): bandit finds no high-severity issue in src, pip-audit no
# known vulnerability in the installed packages (ignore list with reasons: .ci/pip-audit-ignore.txt).
security: install
	$(BIN)/bandit -q -r src -x 'src/fangpin/*/migrations' --severity-level high
	$(BIN)/python .ci/pip_audit.py

test-sqlite: install system-deps
	env -u DATABASE_URL $(BIN)/pytest

test-pg: install system-deps
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL is not set"; exit 1; }
	$(BIN)/pytest

# SQLite always; PostgreSQL as well when DATABASE_URL is set (SKIP_SQLITE=1 runs only that).
test: lint
	@if [ -z "$$SKIP_SQLITE" ]; then $(MAKE) --no-print-directory test-sqlite; fi
	@if [ -n "$$DATABASE_URL" ]; then $(MAKE) --no-print-directory test-pg; fi

bench: install
	$(BIN)/python bench/bench_import.py

# Screening at province scale (docs/screening.md, Figures): 10 M persons × 100 M records by default; files are
# kept in BENCH_OUT and reused. PostgreSQL (warnings COPY and the SQL baseline) only when BENCH_PG_URL is set.
.PHONY: bench-screening
BENCH_PERSONS ?= 10000000
BENCH_RECORDS ?= 100000000
BENCH_OUT     ?= var/bench-screening
bench-screening: install
	nice $(BIN)/fangpin bench_screening --persons $(BENCH_PERSONS) --records $(BENCH_RECORDS) --out $(BENCH_OUT) \
	  $(if $(BENCH_PG_URL),--pg $(BENCH_PG_URL))

clean:
	rm -rf $(VENV) var build *.egg-info

# Load test (docs/load.md): gunicorn + PostgreSQL + locust. `make load`: the province registry in LOAD_DB
# (built on first use by `fangpin demo_province`, ~1 M households; later runs keep it), 6 minutes, PASS/FAIL.
# `make load-smoke`: ~30 s on a small scratch registry next to DATABASE_URL (CI).
LOAD_DB ?= postgres://postgres@127.0.0.1:5432/fp_load
load: install
	DATABASE_URL=$(LOAD_DB) $(BIN)/python bench/load/run_load.py --prepare

load-smoke: install
	DATABASE_URL=$${DATABASE_URL:-$(LOAD_DB)} $(BIN)/python bench/load/run_load.py --smoke
