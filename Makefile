# make run: serve the checker on http://127.0.0.1:8000 · make test: run the tests · make lint: ruff
# make bench: label scores, OCR error rates, speed and batch throughput (minutes; not part of the tests)
# Set-up (venv, pinned requirements, Tesseract) is done by scripts/setup.sh, only when needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
# waitress threads: pages, reports and API reads never queue behind OCR, which has its own limit
# (CHECKER_OCR_CONCURRENCY, default one per core, a semaphore in checker/pipeline.py)
THREADS ?= 8
PYTEST_ARGS ?= -n 2 --dist loadfile
# one thread per Tesseract run: much faster when several pages or requests run side by side
export OMP_THREAD_LIMIT ?= 1
export PYTHON
SHARED ?= ../shared
BENCH_OUT ?= bench-out
export VENV

.PHONY: run test lint setup bench bench-score bench-robust bench-ocr bench-speed bench-batch loadtest

setup:
	@bash scripts/setup.sh

run: setup
	@echo "Serving the label checker on http://$(HOST):$(PORT) (Ctrl+C stops it)"
	$(VENV)/bin/waitress-serve --host=$(HOST) --port=$(PORT) --threads=$(THREADS) wsgi:app

test:
	@bash scripts/setup.sh --dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint:
	@bash scripts/setup.sh --dev --no-tesseract
	$(VENV)/bin/ruff check .

bench: bench-score bench-robust bench-ocr bench-speed bench-batch

# label score of ../shared/eval/score.py on the development corpus and on our own held-out labels
bench-score:
	@bash scripts/setup.sh --dev
	@mkdir -p $(BENCH_OUT)
	$(VENV)/bin/python $(SHARED)/eval/score.py --specs $(SHARED)/corpus --cmd "$(VENV)/bin/python -m checker check --format jsonl" --json $(BENCH_OUT)/score-corpus.json -v
	$(VENV)/bin/python bench/render_specs.py tests/labels $(BENCH_OUT)/holdout --variants clean,photo,hard
	$(VENV)/bin/python $(SHARED)/eval/score.py --specs tests/labels --images $(BENCH_OUT)/holdout --variants clean,photo,hard --cmd "$(VENV)/bin/python -m checker check --format jsonl" --json $(BENCH_OUT)/score-holdout.json -v

# the hard photos resized by 2-5 %: how far one run's score is from the mean of near-identical photos
bench-robust:
	@bash scripts/setup.sh --dev
	$(VENV)/bin/python bench/scale_bench.py --corpus $(SHARED)/corpus

# character error rate of plain Tesseract and of the pipeline, per corpus variant
bench-ocr:
	@bash scripts/setup.sh --dev
	$(VENV)/bin/python bench/ocr_bench.py --corpus $(SHARED)/corpus

# one check vs one bare Tesseract run, per stage, start-up
bench-speed:
	@bash scripts/setup.sh --dev
	$(VENV)/bin/python bench/speed_bench.py --corpus $(SHARED)/corpus --runs 3

# batch throughput with 1 and 2 workers, peak memory
bench-batch:
	@bash scripts/setup.sh --dev
	$(VENV)/bin/python bench/batch_bench.py --n 200 --worker-process

# bounded load test on loopback (SQLite, then PostgreSQL when reachable)
loadtest:
	@bash scripts/setup.sh --dev
	$(VENV)/bin/python bench/loadtest.py
