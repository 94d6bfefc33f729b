# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# Pinned, hashed dependencies (`make lock` writes them from pyproject.toml).
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
UV_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock"

.PHONY: run test test-shifted install lint lock bench bench-report bench-scale rules-doc messages clean

$(STAMP): pyproject.toml $(DEV_LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip>=25.3"
	$(PIP) install --quiet --require-hashes -r $(DEV_LOCK)
	$(PIP) install --quiet --no-deps -e .
	touch $(STAMP)

# The translation catalogs (.po in the repository) are compiled on every install, in
# Python (polib): a fresh machine needs no GNU gettext to show the portal in Spanish.
install: $(STAMP)
	$(PY) manage.py compile_catalogs

# Re-resolve every dependency from PyPI (after pyproject.toml changes), dev set first,
# then the runtime set held to the same versions; then install what was locked. Needs no
# working lock file (a merge may have left a stale or conflicted one): only uv.
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/uv || $(PIP) install --quiet "uv>=0.13,<0.14"
	$(UV_COMPILE) --extra dev -o $(DEV_LOCK)
	$(UV_COMPILE) --constraint $(DEV_LOCK) -o $(LOCK)
	$(PIP) install --quiet --upgrade "pip>=25.3"
	$(PIP) install --quiet --require-hashes -r $(DEV_LOCK)
	$(PIP) install --quiet --no-deps -e .
	touch $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# Both suites run on every core (pytest-xdist); a test module stays on one worker, so its
# module-scoped fixtures are built once. WORKERS=0 runs in one process.
WORKERS ?= auto
XDIST = $(if $(filter 0,$(WORKERS)),,-n $(WORKERS) --dist loadfile)

# The -W turns makemigrations' "could not check the history" warning (database down) into a failure.
test: install
	$(PY) -W "error:Got an error checking a consistent migration history" \
		manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(XDIST)

# The non-browser suite with the clock moved ahead: proves no test depends on today.
CLOCK_SHIFT_DAYS ?= 365
test-shifted: install
	$(PY) -m pytest -q -p no:cacheprovider $(XDIST) --clock-shift-days=$(CLOCK_SHIFT_DAYS) \
		--ignore=tests/e2e --ignore=tests/bench

lint: install
	$(VENV)/bin/ruff check .

# docs/clinical-rules.md is generated from the rule modules: run after changing a rule.
rules-doc: install
	$(PY) manage.py rule_catalogue --output docs/clinical-rules.md

# Re-extract the message ids after marking new strings (needs GNU gettext's xgettext), then
# translate the new entries in clinic/locale/es/LC_MESSAGES/django.po.
messages: install
	$(PY) manage.py makemessages --locale es --no-obsolete --add-location file \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'build/*' --ignore 'dist/*'
	$(PY) manage.py compile_catalogs

bench: install
	$(PY) -m pytest tests/bench -s -m bench

# The report POST against a bare one-row insert, two gunicorn servers side by side
# (needs PostgreSQL: DATABASE_URL=postgres://...; BENCH_ROUNDS, BENCH_SECONDS to taste).
bench-report: install
	$(PY) -m pytest tests/bench/bench_report_path.py -s -m bench

# The daily pages at a million episodes (README, "Sizing"): seeds its own PostgreSQL
# database once (about 2.7 GB), then prints the page table and the dashboard's plans.
SCALE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/twitch_scale
SCALE_EPISODES ?= 1000000
bench-scale: install
	psql "$(SCALE_DATABASE_URL)" -c "SELECT 1" >/dev/null 2>&1 || \
		createdb "$$(basename "$(SCALE_DATABASE_URL)")" -h 127.0.0.1 -U postgres
	DATABASE_URL=$(SCALE_DATABASE_URL) $(PY) -m tests.bench.scale --episodes $(SCALE_EPISODES)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts build dist *.egg-info
