"""Pages for people: the upload form and a readable report of each stored check."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from checker.pipeline import run_image
from checker.storage import CheckNotFoundError
from checker.web.extensions import services
from checker.web.filters import PARTICULARS, SEVERITIES
from checker.web.uploads import read_upload

bp = Blueprint("pages", __name__)


@bp.get("/")
def upload() -> str:
    return render_template("upload.html", max_mb=services().settings.max_upload_mb)


@bp.post("/")
def submit() -> Response:
    data, filename = read_upload(request)
    svc = services()
    report = run_image(data, filename, settings=svc.settings, ref=svc.reference)
    check_id = svc.storage.save_check(report)
    return redirect(url_for("pages.show_check", check_id=check_id), code=303)


@bp.get("/checks/<check_id>")
def show_check(check_id: str) -> str:
    report = services().storage.get_check(check_id)
    if report is None:
        raise CheckNotFoundError()
    findings = report.get("findings") or []
    by_severity = [(sev, heading, [f for f in findings if f.get("severity") == sev])
                   for sev, heading in SEVERITIES]
    return render_template("report.html", report=report, by_severity=by_severity, particulars=PARTICULARS)
