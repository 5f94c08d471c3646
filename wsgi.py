"""WSGI entry point: `waitress-serve wsgi:app`."""
from __future__ import annotations

from checker import create_app

app = create_app()
