# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test test-shifted install lint bench rules-doc clean

$(STAMP): pyproject.toml build-constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade "pip>=25.3"
	# xstatic-bootstrap builds with pkg_resources, gone from setuptools 81.
	$(PIP) install --quiet --build-constraint build-constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

# The non-browser suite with the clock moved ahead: proves no test depends on today.
CLOCK_SHIFT_DAYS ?= 365
test-shifted: install
	$(PY) -m pytest -q -p no:cacheprovider --clock-shift-days=$(CLOCK_SHIFT_DAYS) \
		--ignore=tests/e2e --ignore=tests/bench

lint: install
	$(VENV)/bin/ruff check .

# docs/clinical-rules.md is generated from the rule modules: run after changing a rule.
rules-doc: install
	$(PY) manage.py rule_catalogue --output docs/clinical-rules.md

bench: install
	$(PY) -m pytest tests/bench -s -m bench

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
