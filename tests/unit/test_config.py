"""Settings come from CHECKER_* variables, with safe defaults and a secret key that is never a constant."""
from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from checker.config import ROOT, ConfigError, Settings


def test_defaults_need_no_environment(tmp_path: Path) -> None:
    s = Settings.from_env({})
    assert s.database_url == f"sqlite:///{ROOT / 'instance' / 'checker.sqlite3'}"
    assert (s.ocr_languages, s.ocr_timeout, s.max_upload_mb) == ("eng+nld+deu+fra", 60.0, 20.0)
    assert s.max_upload_bytes == 20 * 1024 * 1024
    assert s.secret_key is None


@pytest.mark.parametrize(("env", "field", "expected"), [
    ({"CHECKER_DATABASE_URL": "postgresql://db/checks"}, "database_url", "postgresql://db/checks"),
    ({"CHECKER_OCR_LANGUAGES": "nld+fra"}, "ocr_languages", "nld+fra"),
    ({"CHECKER_OCR_TIMEOUT": "12.5"}, "ocr_timeout", 12.5),
    ({"CHECKER_MAX_UPLOAD_MB": "5"}, "max_upload_mb", 5.0),
    ({"CHECKER_MAX_PIXELS": "1000000"}, "max_pixels", 1_000_000),
    ({"CHECKER_SECRET_KEY": "from-env"}, "secret_key", "from-env"),
    ({"CHECKER_OCR_TIMEOUT": "  "}, "ocr_timeout", 60.0),  # blank means "not set"
    ({}, "api_auth", True),  # API keys are required unless switched off
    ({"CHECKER_API_AUTH": "off"}, "api_auth", False),
    ({"CHECKER_API_AUTH": "ON"}, "api_auth", True),
    ({}, "workers", 2),
    ({"CHECKER_WORKERS": "0"}, "workers", 0),
    ({"CHECKER_CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}, "celery_broker_url", "redis://127.0.0.1:6379/0"),
    ({"CHECKER_MAX_BATCH_FILES": "50"}, "max_batch_files", 50),
])
def test_environment_overrides_defaults(env: dict[str, str], field: str, expected: object) -> None:
    assert getattr(Settings.from_env(env), field) == expected


def test_database_defaults_into_the_instance_dir(tmp_path: Path) -> None:
    s = Settings.from_env({"CHECKER_INSTANCE_DIR": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'checker.sqlite3'}"


def test_keyword_overrides_win_over_environment() -> None:
    s = Settings.from_env({"CHECKER_OCR_TIMEOUT": "5"}, ocr_timeout=7.0)
    assert s.ocr_timeout == 7.0


@pytest.mark.parametrize(("env", "fragment"), [
    ({"CHECKER_OCR_TIMEOUT": "soon"}, "CHECKER_OCR_TIMEOUT='soon'"),
    ({"CHECKER_MAX_PIXELS": "1e6"}, "CHECKER_MAX_PIXELS"),
    ({"CHECKER_OCR_TIMEOUT": "0"}, "above 0"),
    ({"CHECKER_MAX_UPLOAD_MB": "-1"}, "above 0"),
    ({"CHECKER_MAX_PIXELS": "0"}, "above 0"),
    ({"CHECKER_API_AUTH": "maybe"}, "CHECKER_API_AUTH='maybe' is not a valid on/off value"),
    ({"CHECKER_WORKERS": "-1"}, "0 or more"),
    ({"CHECKER_MAX_BATCH_FILES": "0"}, "above 0"),
    ({"CHECKER_STALE_AFTER": "30"}, "longer than CHECKER_OCR_TIMEOUT"),
])
def test_bad_values_give_a_clear_error(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        Settings.from_env(env)


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown settings: colour"):
        Settings.from_env({}, colour="red")


def test_settings_are_frozen() -> None:
    s = Settings.from_env({})
    with pytest.raises(AttributeError):
        s.ocr_timeout = 1  # type: ignore[misc]


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    s = Settings.from_env({"CHECKER_INSTANCE_DIR": str(tmp_path / "inst")})
    first = s.flask_secret_key()
    key_file = tmp_path / "inst" / "secret_key"
    assert len(first) >= 32 and key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Settings.from_env({"CHECKER_INSTANCE_DIR": str(tmp_path / "inst")}).flask_secret_key() == first
    other = Settings.from_env({"CHECKER_INSTANCE_DIR": str(tmp_path / "other")}).flask_secret_key()
    assert other != first
    assert list((tmp_path / "inst").iterdir()) == [key_file]  # no temporary file left behind


def test_secret_key_from_environment_writes_no_file(tmp_path: Path) -> None:
    s = Settings.from_env({"CHECKER_INSTANCE_DIR": str(tmp_path), "CHECKER_SECRET_KEY": "k" * 40})
    assert s.flask_secret_key() == "k" * 40
    assert not (tmp_path / "secret_key").exists()
