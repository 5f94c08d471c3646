"""JSON API v1: POST /api/v1/checks (multipart field `file`) and GET /api/v1/checks/<id>."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from checker.pipeline import run_image
from checker.storage import CheckNotFoundError
from checker.web.extensions import services
from checker.web.uploads import read_upload

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.post("/checks")
def create_check() -> tuple[Response, int, dict[str, str]]:
    data, filename = read_upload(request)
    svc = services()
    report = run_image(data, filename, settings=svc.settings, ref=svc.reference)
    check_id = svc.storage.save_check(report)
    stored = svc.storage.get_check(check_id)
    return jsonify(stored), 200, {"Location": url_for("api.get_check", check_id=check_id)}


@bp.get("/checks/<check_id>")
def get_check(check_id: str) -> Response:
    report = services().storage.get_check(check_id)
    if report is None:
        raise CheckNotFoundError()
    return jsonify(report)
