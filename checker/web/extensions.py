"""Unbound extension objects and per-app services, wired up by create_app()."""
from __future__ import annotations

from flask import current_app
from flask_wtf.csrf import CSRFProtect

from checker.jobs import JobServices

csrf = CSRFProtect()
SERVICES_KEY = "checker"


# what the views need besides the request (settings, stored checks, reference data): the same bundle
# the batch jobs run on
Services = JobServices


def services() -> Services:
    """The services of the running app."""
    return current_app.extensions[SERVICES_KEY]
