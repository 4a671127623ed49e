# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip install --quiet --disable-pip-version-check
HOST   ?= 127.0.0.1:8000

.PHONY: run dev test install install-dev browser gettext lint pytest migrate demo messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(PIP) -r requirements.txt
	$(PIP) --no-deps -e .

install-dev: install
	$(PIP) -r requirements-dev.txt

migrate: install
	$(BIN)/zhaoshang migrate --noinput

demo: migrate
	$(BIN)/zhaoshang demo

# `make run` serves the way production does: gunicorn + whitenoise with DEBUG off
# (Chinese error pages, never Django's debug page), the huey job worker beside it;
# both stop together. `make dev` is Django's auto-reloading development server.
SERVE_ENV := ZHAOSHANG_DEBUG=false
run: demo
	$(SERVE_ENV) $(BIN)/zhaoshang collectstatic --noinput -v0
	@echo "打开 http://$(HOST)/ （Ctrl-C 停止）"
	$(SERVE_ENV) $(BIN)/zhaoshang run_huey --workers 2 & HUEY_PID=$$!; \
	  trap 'kill $$HUEY_PID 2>/dev/null' EXIT INT TERM; \
	  $(SERVE_ENV) $(BIN)/gunicorn zhaoshang.wsgi --bind $(HOST) --workers 2 --keep-alive 75 \
	    --worker-class gthread --threads 4 --access-logfile - --error-logfile -

dev: demo
	@echo "开发服务器 http://$(HOST)/ （Ctrl-C 停止）"
	$(BIN)/zhaoshang run_huey --workers 2 & HUEY_PID=$$!; \
	  trap 'kill $$HUEY_PID 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/zhaoshang runserver $(HOST)

# Debian's Chromium for the browser tests; never a downloaded browser build.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "NOTE: chromium missing and apt unavailable: browser tests will be skipped"; fi; }

# Debian's GNU gettext (xgettext, msgmerge) for `make messages` and the catalogue test.
gettext:
	@command -v xgettext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else echo "NOTE: xgettext missing and apt unavailable: the catalogue test will be skipped"; fi; }

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: install-dev browser gettext
	$(BIN)/pytest -n 2 -p no:cacheprovider

test: lint pytest

# The .po is the only source of translations (docs/translating.md). File-only locations:
# line numbers would churn on every unrelated edit; a file name changes only when a string moves.
messages: install-dev gettext
	cd src/zhaoshang && ../../$(BIN)/zhaoshang makemessages -l zh_Hans --no-obsolete --add-location=file
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
