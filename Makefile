# make run: serve the checker on http://127.0.0.1:8000 · make test: run the tests · make lint: ruff
# Set-up (venv, pinned requirements, Tesseract) is done by scripts/setup.sh, only when needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2
# one thread per Tesseract run: much faster when several pages or requests run side by side
export OMP_THREAD_LIMIT ?= 1
export PYTHON
export VENV

.PHONY: run test lint setup

setup:
	@bash scripts/setup.sh

run: setup
	@echo "Serving the label checker on http://$(HOST):$(PORT) (Ctrl+C stops it)"
	$(VENV)/bin/waitress-serve --host=$(HOST) --port=$(PORT) wsgi:app

test:
	@bash scripts/setup.sh --dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint:
	@bash scripts/setup.sh --dev --no-tesseract
	$(VENV)/bin/ruff check .
