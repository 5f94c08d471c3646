"""Flask application factory: settings, extensions, blueprints, error handlers, template filters."""
from __future__ import annotations

import dataclasses
import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from checker import __version__, jobs
from checker.config import ROOT, Settings
from checker.errors import CheckerError
from checker.reference import default_reference
from checker.storage import Storage
from checker.web import api, ratelimit, views
from checker.web.extensions import SERVICES_KEY, Services, csrf
from checker.web.filters import FILTERS
from checker.web.i18n import init_i18n

log = logging.getLogger(__name__)
SETTING_KEYS = {f.name.upper() for f in dataclasses.fields(Settings)}
API_PREFIX = "/api/"
# HTTP errors a client can cause, with a stable code and a message for people
HTTP_ERRORS = {
    400: ("bad_request", "The request could not be understood."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that kind of request."),
    413: ("too_large", "The upload is larger than the {max_mb:g} MB limit: send a smaller photo."),
    415: ("unsupported_media_type", "This is not a supported image type."),
    429: ("rate_limited", "Too many requests ({limit}): wait a moment and try again."),
}
# the database cannot be reached or written (server down, locked, disk full): nothing was saved
DATABASE_ERRORS = (OperationalError, InterfaceError, PoolTimeoutError)
DISK_FULL_HINTS = ("disk is full", "no space left", "disk full", "could not extend file")
DATABASE_RETRY_AFTER = "30"  # seconds
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                               "base-uri 'none'; object-src 'none'",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS = "max-age=31536000"  # only sent with CHECKER_SECURE_COOKIES=1, i.e. behind HTTPS


class DatabaseUnavailableError(CheckerError):
    """The database could not be opened when the app started."""

    code = "database_unavailable"
    http_status = 503


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` holds Flask keys and/or setting overrides (DATABASE_URL, OCR_TIMEOUT...)."""
    config = dict(config or {})
    settings = config.pop("SETTINGS", None) or Settings.from_env(
        **{key.lower(): config.pop(key) for key in list(config) if key in SETTING_KEYS})
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    app.config.update(SECRET_KEY=settings.flask_secret_key(), MAX_CONTENT_LENGTH=settings.max_upload_bytes,
                      CHECKER_SETTINGS=settings, DEBUG=settings.debug, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.secure_cookies)
    app.config.update(config)
    app.debug = bool(app.config["DEBUG"])
    if settings.trusted_proxies:  # only then are X-Forwarded-For/-Proto true (client address, HTTPS)
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    register_extensions(app, settings)
    register_blueprints(app)
    ratelimit.init_app(app, settings)
    register_errorhandlers(app)
    register_templating(app)
    app.after_request(_security_headers)
    return app


def register_extensions(app: Flask, settings: Settings) -> None:
    csrf.init_app(app)
    init_i18n(app)
    try:
        storage = Storage.from_url(settings.database_url)
    except DATABASE_ERRORS as e:
        raise DatabaseUnavailableError(f"Cannot open the database {_safe_url(settings.database_url)}: "
                                       f"{_first_line(e)}") from e
    reference = default_reference()
    bundle = Services(settings=settings, storage=storage, reference=reference)
    app.extensions[SERVICES_KEY] = bundle
    jobs.init_app(app, bundle)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the API takes no cookies, so there is no session to forge


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(CheckerError, _checker_error)
    app.register_error_handler(CSRFError, _csrf_error)
    for error in (*DATABASE_ERRORS, jobs.TransientError):  # TransientError: retried, still down
        app.register_error_handler(error, _database_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def register_templating(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(checker_version=__version__)


def _checker_error(error: CheckerError) -> tuple[Response | str, int]:
    if error.http_status >= 500:
        log.error("check failed: %s (%s)", error.message, error.code)
    return _error_response(error.http_status, error.code, error.message)


def _database_error(error: Exception) -> tuple[Response | str, int, dict[str, str]]:
    said = f"{error} {error.__cause__ or ''}".lower()
    full = any(hint in said for hint in DISK_FULL_HINTS)
    log.error("database error on %s %s: %s", request.method, request.path, _first_line(error))
    if full:
        code, message = "storage_full", "The server's storage is full, so nothing was saved. Try again later."
    else:
        code, message = "database_unavailable", ("The database cannot be reached right now, so nothing was "
                                                 "saved. Try again in a minute.")
    body, status = _error_response(503, code, message)
    return body, status, {"Retry-After": DATABASE_RETRY_AFTER}


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__


def _safe_url(url: str) -> str:
    """The database URL without its password (for messages and logs)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL fails later with its own message
        return "(the configured database)"


def _csrf_error(error: CSRFError) -> tuple[Response | str, int]:
    return _error_response(400, "csrf_failed", "The form had expired or came from another page. "
                                               "Reload the page and try again.")


def _http_error(error: HTTPException) -> tuple | HTTPException:
    status = error.code or 500
    if status < 400:  # redirects raised as exceptions (e.g. missing trailing slash)
        return error
    code, message = HTTP_ERRORS.get(status, (f"http_{status}", error.description or "Request failed."))
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        message = message.format(max_mb=round(limit / 1024 / 1024, 2))
    if status == 429:
        message = message.format(limit=getattr(error, "description", "") or "rate limit")
    body, status = _error_response(status, code, message)
    allow = dict(error.get_headers()).get("Allow")
    return (body, status, {"Allow": allow}) if allow else (body, status)


def _unexpected_error(error: Exception) -> tuple[Response | str, int]:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return _error_response(500, "internal_error", "Something went wrong on our side. Please try again later.")


def _error_response(status: int, code: str, message: str) -> tuple[Response | str, int]:
    if request.path.startswith(API_PREFIX):
        return jsonify(error={"code": code, "message": message}), status
    return render_template("error.html", status=status, code=code, message=message), status


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response
