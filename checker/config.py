"""Settings from CHECKER_* environment variables, with embedded defaults for a local run."""
from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import CheckerError

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "CHECKER_"
SECRET_KEY_FILE = "secret_key"
DATABASE_FILE = "checker.sqlite3"


class ConfigError(CheckerError):
    """A CHECKER_* setting has a value that cannot be used."""

    code = "config_invalid"
    http_status = 500


@dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with; build it with Settings.from_env()."""

    instance_dir: Path = ROOT / "instance"
    database_url: str = ""  # "" -> sqlite file in instance_dir
    ocr_languages: str = "eng+nld+deu+fra"
    ocr_timeout: float = 60.0  # seconds per image
    max_upload_mb: float = 20.0
    max_pixels: int = 60_000_000
    secret_key: str | None = None  # None -> generated once and kept in instance_dir/secret_key
    api_auth: bool = True  # API requests need "Authorization: Bearer KEY"; off only for local use
    workers: int = 2  # in-process batch workers started with the app (0: none, e.g. a web-only node)
    celery_broker_url: str = ""  # set (redis://...) -> batch items go to Celery workers instead
    celery_queue: str = "checker"
    max_batch_mb: float = 500.0  # one batch request (many files or a zip)
    max_batch_files: int = 1000
    stale_after: float = 900.0  # seconds: an item running longer than this lost its worker
    # web hardening (checker/web/app.py); a rate limit is "N per second|minute|hour|day" or "off"
    debug: bool = False  # Flask debug mode: never on a server reachable by others
    secure_cookies: bool = False  # set behind HTTPS: cookies only over HTTPS, plus HSTS
    trusted_proxies: int = 0  # reverse proxies in front that set X-Forwarded-For/-Proto
    ratelimit_storage_url: str = ""  # "" -> in-process memory; redis://... shares limits between processes
    ratelimit_address: str = "600 per minute"  # every request, per client address
    ratelimit_key: str = "300 per minute"  # every API request, per API key
    ratelimit_uploads: str = "60 per minute"  # uploads (each runs OCR), per API key, else per address

    def __post_init__(self) -> None:
        object.__setattr__(self, "instance_dir", Path(self.instance_dir))
        if not self.database_url:
            url = f"sqlite:///{self.instance_dir / DATABASE_FILE}"
            object.__setattr__(self, "database_url", url)
        if self.ocr_timeout <= 0:
            raise ConfigError(f"{PREFIX}OCR_TIMEOUT must be above 0 seconds, got {self.ocr_timeout}")
        if self.max_upload_mb <= 0:
            raise ConfigError(f"{PREFIX}MAX_UPLOAD_MB must be above 0, got {self.max_upload_mb}")
        if self.max_pixels <= 0:
            raise ConfigError(f"{PREFIX}MAX_PIXELS must be above 0, got {self.max_pixels}")
        if self.workers < 0:
            raise ConfigError(f"{PREFIX}WORKERS must be 0 or more, got {self.workers}")
        if self.max_batch_mb <= 0 or self.max_batch_files <= 0:
            raise ConfigError(f"{PREFIX}MAX_BATCH_MB and {PREFIX}MAX_BATCH_FILES must be above 0")
        if self.stale_after <= self.ocr_timeout:
            raise ConfigError(f"{PREFIX}STALE_AFTER must be longer than {PREFIX}OCR_TIMEOUT "
                              f"({self.ocr_timeout:g} s), got {self.stale_after:g}")
        if self.trusted_proxies < 0:
            raise ConfigError(f"{PREFIX}TRUSTED_PROXIES must be 0 or more, got {self.trusted_proxies}")
        if not self.ocr_languages.strip():
            raise ConfigError(f"{PREFIX}OCR_LANGUAGES must name at least one language, e.g. eng")

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_batch_bytes(self) -> int:
        return int(self.max_batch_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read CHECKER_<FIELD> variables (e.g. CHECKER_OCR_TIMEOUT=30); keyword overrides win."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(PREFIX + f.name.upper())
            if raw is not None and raw.strip() != "":
                values[f.name] = _convert(f.name, raw.strip())
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        values.update(overrides)
        return cls(**values)

    def flask_secret_key(self) -> str:
        """The configured secret key, else the one kept in instance_dir (created on first use)."""
        if self.secret_key:
            return self.secret_key
        return _load_or_create_secret(self.instance_dir / SECRET_KEY_FILE)


def _boolean(raw: str) -> bool:
    value = raw.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(raw)


_boolean.__name__ = "on/off value"
_TRUE = {"1", "on", "true", "yes"}
_FALSE = {"0", "off", "false", "no"}
_CONVERTERS = {"ocr_timeout": float, "max_upload_mb": float, "max_pixels": int, "instance_dir": Path,
               "api_auth": _boolean, "workers": int, "max_batch_mb": float, "max_batch_files": int,
               "stale_after": float, "debug": _boolean, "secure_cookies": _boolean, "trusted_proxies": int}


def _convert(name: str, raw: str) -> Any:
    convert = _CONVERTERS.get(name, str)
    try:
        return convert(raw)
    except ValueError as e:
        raise ConfigError(f"{PREFIX}{name.upper()}={raw!r} is not a valid {convert.__name__}") from e


def _load_or_create_secret(path: Path) -> str:
    try:
        existing = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        existing = ""
    except OSError as e:
        raise ConfigError(f"cannot read the secret key file {path}: {e}") from e
    if existing:
        return existing
    key = secrets.token_hex(32)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
        # link() is atomic and fails if the file exists: two workers starting at once agree on one key
        os.link(tmp, path)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    except OSError as e:
        raise ConfigError(f"cannot create the secret key file {path}: {e}") from e
    finally:
        tmp.unlink(missing_ok=True)
    return key
