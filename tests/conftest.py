"""Shared fixtures: a Flask app on a temporary SQLite database, and its test client."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture
def app_config(tmp_path: Path) -> dict:
    """Config for create_app(): its own database, instance dir and secret; tests may add keys."""
    return {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'checks.sqlite3'}",
            "INSTANCE_DIR": tmp_path, "SECRET_KEY": "test-secret-key-not-used-anywhere-else"}


@pytest.fixture
def app(app_config: dict) -> Iterator[Flask]:
    # imported here so that collecting unit tests never needs the whole web stack
    from checker.web.app import create_app
    from checker.web.extensions import SERVICES_KEY

    app = create_app(app_config)
    yield app
    app.extensions[SERVICES_KEY].storage.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
