"""WSGI entry point: `waitress-serve --threads=8 wsgi:app` (make run); OCR is limited separately to
CHECKER_OCR_CONCURRENCY runs at once (default: one per core), so the other threads stay free for pages."""
from __future__ import annotations

from checker import create_app

app = create_app()
