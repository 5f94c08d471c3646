"""Flask application factory: settings, extensions, blueprints, error handlers, template filters."""
from __future__ import annotations

import dataclasses
import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from checker import __version__, jobs
from checker.config import ROOT, Settings
from checker.errors import CheckerError
from checker.reference import default_reference
from checker.storage import Storage
from checker.web import api, views
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
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; form-action 'self'; frame-ancestors 'none'",
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` holds Flask keys and/or setting overrides (DATABASE_URL, OCR_TIMEOUT...)."""
    config = dict(config or {})
    settings = config.pop("SETTINGS", None) or Settings.from_env(
        **{key.lower(): config.pop(key) for key in list(config) if key in SETTING_KEYS})
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    app.config.update(SECRET_KEY=settings.flask_secret_key(), MAX_CONTENT_LENGTH=settings.max_upload_bytes,
                      CHECKER_SETTINGS=settings)
    app.config.update(config)
    register_extensions(app, settings)
    register_blueprints(app)
    register_errorhandlers(app)
    register_templating(app)
    app.after_request(_security_headers)
    return app


def register_extensions(app: Flask, settings: Settings) -> None:
    csrf.init_app(app)
    init_i18n(app)
    storage = Storage.from_url(settings.database_url)
    reference = default_reference()
    app.extensions[SERVICES_KEY] = Services(settings=settings, storage=storage, reference=reference)
    jobs.init_app(app, jobs.JobServices(storage=storage, settings=settings, reference=reference))


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the API takes no cookies, so there is no session to forge


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(CheckerError, _checker_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def register_templating(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(checker_version=__version__)


def _checker_error(error: CheckerError) -> tuple[Response | str, int]:
    if error.http_status >= 500:
        log.error("check failed: %s (%s)", error.message, error.code)
    return _error_response(error.http_status, error.code, error.message)


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
    return response
