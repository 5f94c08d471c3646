"""Rate limits (Flask-Limiter): every request per client address, API calls per key, uploads per both."""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Flask, request
from flask_limiter import ApplicationLimit, Limiter
from limits import parse_many

from checker.config import PREFIX, ConfigError, Settings
from checker.web.auth import bearer_token
from checker.web.extensions import services

MEMORY_STORAGE = "memory://"
# endpoints that run a check (OCR) or queue a batch: the expensive requests
UPLOAD_ENDPOINTS = frozenset({"api.create_check", "api.create_batch", "pages.submit", "pages.submit_text",
                              "pages.recheck"})
EXEMPT_ENDPOINTS = frozenset({"static"})
LIMIT_SETTINGS = ("ratelimit_address", "ratelimit_key", "ratelimit_uploads")
OFF = frozenset({"", "off", "none", "0"})  # a limit set to one of these is not applied
KEY_DIGEST_CHARS = 32


def client_address() -> str:
    """The client's address (the proxy's unless CHECKER_TRUSTED_PROXIES says how many to trust)."""
    return request.remote_addr or "unknown"


def _api_key() -> str | None:
    return bearer_token(request.headers.get("Authorization", ""))


def api_key_bucket() -> str:
    """A digest of the request's API key: limits are kept per key without storing the key itself."""
    key = _api_key() or ""
    return "key:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:KEY_DIGEST_CHARS]


def uploader_bucket() -> str:
    """Per API key when the request carries one, else per client address."""
    return api_key_bucket() if _api_key() else "address:" + client_address()


def _setting(name: str) -> Callable[[], str]:
    return lambda: "" if _off(name) else getattr(services().settings, name)


def _off(name: str) -> bool:
    return getattr(services().settings, name).strip().lower() in OFF


def _not_limited() -> bool:
    return _off("ratelimit_address") or request.endpoint in EXEMPT_ENDPOINTS


def _limits() -> list[ApplicationLimit]:
    return [
        ApplicationLimit(_setting("ratelimit_address"), key_function=client_address, scope="address",
                         exempt_when=_not_limited),
        ApplicationLimit(_setting("ratelimit_key"), key_function=api_key_bucket, scope="api-key",
                         exempt_when=lambda: _off("ratelimit_key") or _api_key() is None),
        ApplicationLimit(_setting("ratelimit_uploads"), key_function=uploader_bucket, scope="uploads",
                         exempt_when=lambda: (_off("ratelimit_uploads") or request.method != "POST"
                                              or request.endpoint not in UPLOAD_ENDPOINTS)),
    ]


def check_settings(settings: Settings) -> None:
    """ConfigError for a limit that cannot be read (checked at start, not on the first request)."""
    for name in LIMIT_SETTINGS:
        value = getattr(settings, name).strip()
        try:
            if value.lower() not in OFF:
                parse_many(value)
        except ValueError as e:
            raise ConfigError(f"{PREFIX}{name.upper()}={value!r} is not a rate limit; write e.g. "
                              "'60 per minute' or '10/second;1000/day', or 'off'") from e


def init_app(app: Flask, settings: Settings) -> Limiter:
    """A limiter for this app; off under TESTING unless the test sets RATELIMIT_ENABLED."""
    check_settings(settings)
    app.config.setdefault("RATELIMIT_ENABLED", not app.testing)
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage_url or MEMORY_STORAGE)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    limiter = Limiter(key_func=client_address, application_limits=_limits())
    limiter.init_app(app)
    return limiter
