# Everyday commands. Needs only GNU make and Python 3.11 (python3 if python3.11 is absent).
#   make run    set up .venv, migrate, load the demo district and start the portal on 127.0.0.1:8000
#   make assets the front-end libraries the portal serves itself (Apache ECharts for the dashboard): `npm ci`
#               from package-lock.json, then node_modules/echarts/dist/echarts.min.js copied into
#               static/vendor/echarts/ (gitignored). Needs Node.js and npm (Debian: apt-get install nodejs npm);
#               `make install` (so make run and make test) runs it
#   make test   the whole test suite on every core (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set);
#               PYTEST_ARGS="-k seed", PYTEST_WORKERS=0 for one process (pdb, a single file)
#   make lint   ruff check, ruff format --check, and lint-imports (the layers in .importlinter)
#   make check  pending migrations, and `check --deploy` against production-style settings
#   make bench  time the heavy paths at district scale beside their floors (wall s, ratios project ÷ floor ×),
#               then 20 clients on gunicorn;
#               BENCH_ARGS="--scale city" by hand, PostgreSQL (DATABASE_URL) only. Not part of make test or CI

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=
BENCH_ARGS ?=
# pytest-xdist processes for `make test`: auto is one per CPU; worksteal evens out the slow tests at the end.
PYTEST_WORKERS ?= auto

# Production-style settings for `check --deploy`: nothing connects to these servers, the check only reads settings.
PRODUCTION_ENV := DEBUG=0 \
	DATABASE_URL=postgres://portal:check-password@127.0.0.1:5432/portal \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	ALLOWED_HOSTS=portal.example.org \
	CSRF_TRUSTED_ORIGINS=https://portal.example.org \
	SECURE_SSL_REDIRECT=1 SESSION_COOKIE_SECURE=1 CSRF_COOKIE_SECURE=1 \
	SECURE_HSTS_SECONDS=31536000 SECURE_HSTS_INCLUDE_SUBDOMAINS=1 SECURE_HSTS_PRELOAD=1

.PHONY: install assets run test lint check bench

install: $(STAMP) assets

# The pinned version is package.json's (and package-lock.json's); the dashboard's charts load this copy, no CDN.
ECHARTS := static/vendor/echarts/echarts.min.js
assets: $(ECHARTS)

$(ECHARTS): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "未找到 npm：看板图表所需的 ECharts 要用 Node.js 和 npm 安装（Debian：apt-get install nodejs npm），然后再运行 make assets。" >&2; \
		echo "npm not found: the dashboard's charts (Apache ECharts) are installed with Node.js and npm (Debian: apt-get install nodejs npm); then run make assets." >&2; \
		exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p $(@D)
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE $(@D)/
	touch $@

# Re-installs only when a requirements file is newer than the stamp.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: install
	DEBUG=1 $(MANAGE) migrate
	DEBUG=1 $(MANAGE) seed_demo --year 2021 --scale small
	DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

# Bytecode and pytest's rewritten test modules are kept between runs (.ci/run runs the suite twice), also
# where the environment sets PYTHONDONTWRITEBYTECODE: each worker otherwise compiles every module again.
test: install
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check: install
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	$(PRODUCTION_ENV) SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(MANAGE) check --deploy --fail-level WARNING

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
