"""Shared fixtures: a Flask app on a temporary SQLite database, its test client, and an API client."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

# PostgreSQL, Redis and Celery worker fixtures (skip, or fail under CHECKER_REQUIRE_SERVICES=1)
pytest_plugins = ["tests.services", "tests.fake_pipeline"]


@pytest.fixture
def app_config(tmp_path: Path) -> dict:
    """Config for create_app(): its own database, instance dir and secret; tests may add keys.

    WORKERS=0: no batch worker threads unless a test asks for them.
    """
    return {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'checks.sqlite3'}",
            "INSTANCE_DIR": tmp_path, "SECRET_KEY": "test-secret-key-not-used-anywhere-else", "WORKERS": 0}


@pytest.fixture
def app(app_config: dict) -> Iterator[Flask]:
    # imported here so that collecting unit tests never needs the whole web stack
    from checker.jobs import JOBS_KEY
    from checker.web.app import create_app
    from checker.web.extensions import SERVICES_KEY

    app = create_app(app_config)
    yield app
    app.extensions[JOBS_KEY].stop(timeout=30)
    app.extensions[SERVICES_KEY].storage.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def api_key(app: Flask) -> str:
    """A valid API key of this app's database."""
    from checker.web.extensions import SERVICES_KEY

    return app.extensions[SERVICES_KEY].storage.create_api_key("tests")[1]


@pytest.fixture
def api_client(app: Flask, api_key: str) -> FlaskClient:
    """A test client that sends the API key on every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_key}"
    return client
