# Docket: `make run` serves the app with demo data, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo runs in Moscow time (its incidents, deadlines and documents are Moscow's); set TIME_ZONE to override.
DEMO_TIME_ZONE ?= Europe/Moscow
DEMO_ENV = TIME_ZONE=$${TIME_ZONE:-$(DEMO_TIME_ZONE)}

.PHONY: run test setup migrate demo worker messages bench clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PIP) install --quiet --upgrade pip
	@$(PIP) install --quiet --requirement requirements.txt
	@touch $(STAMP)

setup: $(STAMP)

migrate: setup
	@$(PY) manage.py migrate --noinput

demo: migrate
	@$(DEMO_ENV) $(PY) manage.py load_demo

run: demo
	@$(PY) manage.py collectstatic --noinput >/dev/null
	@echo "Docket is running at http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	@$(DEMO_ENV) $(PY) manage.py demo_login
	@$(DEMO_ENV) $(PY) manage.py db_worker --interval 1 >/dev/null 2>&1 & echo $$! > .worker.pid; \
	  trap 'kill $$(cat .worker.pid) 2>/dev/null; rm -f .worker.pid' EXIT INT TERM; \
	  $(DEMO_ENV) $(PY) manage.py runserver --noreload $(HOST):$(PORT)

worker: migrate
	@$(PY) manage.py db_worker

# The suite runs on every core (pytest-xdist: each worker has its own database, data folder and index).
PYTEST_WORKERS ?= auto
test: setup
	@$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

messages: setup
	@$(PY) manage.py makemessages -l ru --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles
	@$(PY) manage.py compilemessages --ignore=.venv

# One table of every benchmark beside the bare tool doing the same work (docs/benchmarks.md): small by default,
# `make bench SCALE=full` (or BENCH_FULL=1) for 100,000 records. PostgreSQL figures need BENCH_POSTGRES_URL's database.
SCALE ?= $(if $(filter 1 true yes,$(BENCH_FULL)),full,small)
bench: setup
	@$(PY) bench/run.py --scale $(SCALE)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
