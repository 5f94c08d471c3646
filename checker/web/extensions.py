"""Unbound extension objects and per-app services, wired up by create_app()."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_wtf.csrf import CSRFProtect

from checker.config import Settings
from checker.reference import ReferenceData
from checker.storage import Storage

csrf = CSRFProtect()
SERVICES_KEY = "checker"


@dataclass(frozen=True)
class Services:
    """What the views need besides the request: settings, stored checks, reference data."""

    settings: Settings
    storage: Storage
    reference: ReferenceData


def services() -> Services:
    """The services of the running app."""
    return current_app.extensions[SERVICES_KEY]
