"""The app builds from the environment alone (as `make run` starts it) and keeps its secret key."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest


def test_wsgi_app_builds_from_checker_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKER_INSTANCE_DIR", str(tmp_path))
    monkeypatch.delenv("CHECKER_SECRET_KEY", raising=False)
    monkeypatch.delenv("CHECKER_DATABASE_URL", raising=False)
    monkeypatch.setenv("CHECKER_MAX_UPLOAD_MB", "3")
    sys.modules.pop("wsgi", None)
    app = importlib.import_module("wsgi").app
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    assert {"/", "/checks/<check_id>", "/api/v1/checks", "/api/v1/checks/<check_id>"} <= routes
    assert app.config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024
    assert (tmp_path / "checker.sqlite3").exists()  # the default database lives in the instance dir
    assert app.secret_key == (tmp_path / "secret_key").read_text().strip()
    sys.modules.pop("wsgi", None)
