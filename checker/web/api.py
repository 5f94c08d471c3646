"""JSON API v1: checks, batches, and the OpenAPI document (checker/web/openapi.py) that describes them."""
from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, jsonify, request, stream_with_context, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from checker import batch as batches
from checker import jobs
from checker.errors import CheckerError, ImageTooLargeError, InputError
from checker.storage import BatchNotFoundError, CheckNotFoundError
from checker.web import auth, openapi
from checker.web.extensions import services
from checker.web.uploads import display_name, read_upload

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(auth.require_api_key)
BATCH_FIELDS = ("files", "file")
MAX_LIST_LIMIT = 200
MAX_QUERY = 200
JSONL_TYPE = "application/x-ndjson"


class BatchNotDoneError(CheckerError):
    """Results were asked for before every item of the batch finished."""

    code = "batch_not_done"
    http_status = 409


@bp.errorhandler(auth.UnauthorizedError)
def _unauthorized(error: auth.UnauthorizedError) -> tuple[Response, int, dict[str, str]]:
    body = jsonify(error={"code": error.code, "message": error.message})
    return body, 401, {"WWW-Authenticate": auth.REALM}


def _job() -> jobs.JobServices:
    return services()


# ---------------------------------------------------------------- checks
@bp.post("/checks")
def create_check() -> tuple[Response, int, dict[str, str]]:
    data, filename = read_upload(request)
    job = _job()
    report, recipe = jobs.check_with_reuse(data, filename, job)
    media_type = (report.get("input") or {}).get("media_type")
    check_id = job.storage.save_check(report, image=data, media_type=media_type, owner=auth.current_owner(),
                                      recipe=recipe)
    stored = job.storage.get_check(check_id)
    return jsonify(stored), 200, {"Location": url_for("api.get_check", check_id=check_id)}


@bp.get("/checks")
def list_checks() -> Response:
    args = request.args
    limit = _int_arg("limit", 50, 1, MAX_LIST_LIMIT)
    offset = _int_arg("offset", 0, 0, openapi.MAX_OFFSET)
    q, barcode = args.get("q", "")[:MAX_QUERY] or None, args.get("barcode", "")[:64] or None
    rows = services().storage.list_checks(q=q, barcode=barcode, owner=auth.current_owner(), limit=limit,
                                          offset=offset)
    for row in rows:
        row["url"] = url_for("api.get_check", check_id=row["id"])
    return jsonify(checks=rows)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise InputError(f"'{name}' must be a whole number from {low} to {high}.", code="bad_request")
    return value


@bp.get("/checks/<check_id>")
def get_check(check_id: str) -> Response:
    report = services().storage.get_check(check_id, owner=auth.current_owner())
    if report is None:
        raise CheckNotFoundError()
    return jsonify(report)


# ---------------------------------------------------------------- batches
@bp.post("/batches")
def create_batch() -> tuple[Response, int, dict[str, str]]:
    svc = services()
    settings = svc.settings
    request.max_content_length = settings.max_batch_bytes
    request.max_form_parts = settings.max_batch_files + 10
    try:
        uploads = [(display_name(f), f.read()) for field in BATCH_FIELDS for f in request.files.getlist(field)
                   if f.filename or f.content_length]
    except RequestEntityTooLarge as e:
        raise ImageTooLargeError(f"One batch request may hold at most {settings.max_batch_mb:g} MB and "
                                 f"{settings.max_batch_files} files; split it up.") from e
    if not uploads:
        raise InputError("No files were sent: upload the label photos in the form field 'files' "
                         "(repeat it for each photo) or one zip of photos.", code="no_file")
    items = batches.expand(uploads, settings)
    batch_id = svc.storage.create_batch(auth.current_owner(), items, media_type_of=batches.media_type_of)
    jobs.runner_of_current_app().submitted(batch_id)
    body = _batch_body(batch_id, with_items=False)
    return jsonify(body), 202, {"Location": body["status_url"]}


@bp.get("/batches/<batch_id>")
def get_batch(batch_id: str) -> Response:
    return jsonify(_batch_body(batch_id, with_items=True))


def _batch_body(batch_id: str, *, with_items: bool) -> dict:
    status = services().storage.batch_status(batch_id, owner=auth.current_owner(), with_items=with_items)
    if status is None:
        raise BatchNotFoundError()
    status.pop("source", None)
    status["status_url"] = url_for("api.get_batch", batch_id=batch_id)
    status["results"] = {"jsonl": url_for("api.batch_results_jsonl", batch_id=batch_id),
                         "csv": url_for("api.batch_results_csv", batch_id=batch_id)}
    for item in status.get("items", []):
        item["check_url"] = url_for("api.get_check", check_id=item["check_id"]) if item["check_id"] else None
    return status


def _finished_rows(batch_id: str) -> Iterator:
    storage = services().storage
    status = storage.batch_status(batch_id, owner=auth.current_owner(), with_items=False)
    if status is None:
        raise BatchNotFoundError()
    if status["status"] != "done":
        left = status["counts"]["queued"] + status["counts"]["running"]
        raise BatchNotDoneError(f"The batch is not done yet: {left} of {status['total']} files still to "
                                f"check. Poll the batch and try again when its status is 'done'.")
    return storage.batch_reports(batch_id, owner=auth.current_owner())


@bp.get("/batches/<batch_id>/results.jsonl")
def batch_results_jsonl(batch_id: str) -> Response:
    rows = _finished_rows(batch_id)
    ref = services().reference
    return Response(stream_with_context(batches.jsonl_lines(rows, ref)), mimetype=JSONL_TYPE,
                    headers=_download(f"batch-{batch_id}.jsonl"))


@bp.get("/batches/<batch_id>/results.csv")
def batch_results_csv(batch_id: str) -> Response:
    rows = _finished_rows(batch_id)
    return Response(stream_with_context(batches.csv_lines(rows)), content_type="text/csv; charset=utf-8",
                    headers=_download(f"batch-{batch_id}.csv"))


def _download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


# ---------------------------------------------------------------- documentation (public)
@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document(url_for("api.openapi_document").rsplit("/", 1)[0]))


@bp.get("/docs")
def docs() -> Response:
    doc = openapi.document(url_for("api.openapi_document").rsplit("/", 1)[0])
    return Response(openapi.render_docs(doc), mimetype="text/html")
