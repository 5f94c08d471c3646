"""Pages for people: upload (photos, PDFs, typed text), the report with the photo, re-check of corrected
text, history, compare, and the stored photo itself."""
from __future__ import annotations

import io
import re
from typing import Any

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from PIL import Image

from checker import imaging
from checker.errors import CheckerError, InputError
from checker.imaging.documents import decode_document
from checker.parsing import MAX_TEXT_CHARS  # one limit for pasted text and OCR text
from checker.pipeline import run_image, run_text
from checker.storage import CheckNotFoundError
from checker.web import report_view
from checker.web.extensions import services
from checker.web.filters import PARTICULARS, SEVERITIES, verdict_title
from checker.web.i18n import current_language
from checker.web.uploads import FIELD, display_name

bp = Blueprint("pages", __name__)

TEXT_FIELD = "text"
NAME_FIELD = "name"
MAX_FILES = 20  # per upload form
MAX_COMPARE = 6
HISTORY_PAGE = 50
MAX_QUERY = 200
GTIN_QUERY = re.compile(r"\d{8}|\d{12,14}")
DEFAULT_TEXT_NAME = "label text"
SHOWN_AS_IS = {"image/jpeg", "image/png", "image/webp"}  # everything else is converted for the browser
IMAGE_CACHE = "private, max-age=86400"
IMAGE_CSP = "default-src 'none'; sandbox"
EXIF_ORIENTATION = 0x0112


@bp.app_template_filter("allergen_name")
def allergen_name(allergen_id: str) -> str:
    """An EU allergen id ("milk") in the page's language ("melk")."""
    return _vocabulary()["allergen"].get(allergen_id, allergen_id)


@bp.app_template_filter("function_name")
def function_name(function_id: str) -> str:
    """An additive function class ("anti-caking agent") in the page's language."""
    return _vocabulary()["function"].get(function_id, function_id)


_VOCABULARIES: dict[tuple[int, str], dict[str, dict[str, str]]] = {}


def _vocabulary() -> dict[str, dict[str, str]]:
    ref = services().reference
    key = (id(ref), current_language())
    if key not in _VOCABULARIES:
        _VOCABULARIES[key] = report_view.vocabulary(ref, key[1])
    return _VOCABULARIES[key]


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


# ---------------------------------------------------------------- upload
@bp.get("/")
def upload() -> str:
    return render_template("upload.html", max_mb=services().settings.max_upload_mb, max_files=MAX_FILES,
                           max_text=MAX_TEXT_CHARS)


def _uploads() -> list[tuple[bytes, str]]:
    """(bytes, display name) of every non-empty file in the form; InputError when there is none."""
    files = [f for f in request.files.getlist(FIELD) if f.filename or f.content_length]
    if len(files) > MAX_FILES:
        raise InputError(f"Send at most {MAX_FILES} files at once.", code="too_many_files")
    out = [(data, display_name(f)) for f in files if (data := f.read())]
    if not out:
        if files:
            raise InputError("The uploaded file is empty: choose a photo of the label.", code="empty_file")
        raise InputError(f"No file was sent: upload the label photo in the form field '{FIELD}'.",
                         code="no_file")
    return out


def _check_upload(data: bytes, filename: str) -> tuple[str, str | None]:
    """Check and store one photo with its bytes: (check id, verdict)."""
    svc = services()
    report = run_image(data, filename, settings=svc.settings, ref=svc.reference)
    media_type = (report.get("input") or {}).get("media_type")
    return svc.storage.save_check(report, image=data, media_type=media_type), report.get("verdict")


@bp.post("/")
def submit() -> Response | tuple[Response, int] | str:
    if _wants_json():
        return _submit_json()
    uploads = _uploads()
    if len(uploads) == 1:  # errors become the error page with their status
        check_id, _ = _check_upload(*uploads[0])
        return redirect(url_for("pages.show_check", check_id=check_id), code=303)
    results = []
    for data, filename in uploads:
        try:
            check_id, verdict = _check_upload(data, filename)
            results.append({"filename": filename, "id": check_id, "verdict": verdict})
        except CheckerError as e:
            results.append({"filename": filename, "error": e.message})
    return render_template("results.html", results=results)


def _submit_json() -> tuple[Response, int]:
    """One file per request (the page's script sends them one by one): its check id or its error."""
    try:
        uploads = _uploads()
        if len(uploads) > 1:
            raise InputError("Send one file per request.", code="one_file_per_request")
        data, filename = uploads[0]
        check_id, verdict = _check_upload(data, filename)
    except CheckerError as e:
        name = next((display_name(f) for f in request.files.getlist(FIELD) if f.filename), None)
        return jsonify(filename=name, error={"code": e.code, "message": e.message}), e.http_status
    return jsonify(id=check_id, filename=filename, verdict=verdict, verdict_title=verdict_title(verdict),
                   url=url_for("pages.show_check", check_id=check_id)), 200


def _form_text() -> str:
    text = (request.form.get(TEXT_FIELD) or "").replace("\r\n", "\n").strip()
    if not text:
        raise InputError("The text is empty: type or paste the label text.", code="empty_text")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"The text is longer than {MAX_TEXT_CHARS} characters; a label is much shorter.",
                         code="text_too_long")
    return text


@bp.post("/text")
def submit_text() -> Response:
    text = _form_text()
    given = _clean_name(request.form.get(NAME_FIELD))
    svc = services()
    report = run_text(text, given or DEFAULT_TEXT_NAME, settings=svc.settings, ref=svc.reference)
    report["text"] = text
    if given:  # the person's own name for it beats the label's first line
        report["product"] = {**(report.get("product") or {}), "name": given}
    check_id = svc.storage.save_check(report, text=text)
    return redirect(url_for("pages.show_check", check_id=check_id), code=303)


def _clean_name(value: str | None) -> str:
    """A name typed by the person: printable characters only, at most 255."""
    name = "".join(ch for ch in (value or "") if ch.isprintable()).strip()
    return name[:255]


# ---------------------------------------------------------------- one check
def _report(check_id: str) -> dict[str, Any]:
    report = services().storage.get_check(check_id)
    if report is None:
        raise CheckNotFoundError()
    return report


MAX_REVISION_DEPTH = 50


def _parent_id(report: dict[str, Any]) -> str | None:
    revision = report.get("revision")
    return revision.get("of") if isinstance(revision, dict) else None


def _original(report: dict[str, Any]) -> dict[str, Any] | None:
    """The first check of a revision chain (the one with the photo); None for an original."""
    storage = services().storage
    original = None
    parent_id = _parent_id(report)
    for _ in range(MAX_REVISION_DEPTH):
        parent = storage.get_check(parent_id) if parent_id else None
        if parent is None:
            break
        original, parent_id = parent, _parent_id(parent)
    return original


def _has_image(report: dict[str, Any] | None) -> bool:
    """True when a photo was stored with this check."""
    check_id = (report or {}).get("id")
    return bool(check_id) and services().storage.get_check_image_sha256(check_id) is not None


@bp.get("/checks/<check_id>")
def show_check(check_id: str) -> str:
    report = _report(check_id)
    lang = current_language()
    original = _original(report)
    photo = report if _has_image(report) else original if _has_image(original) else None
    view = report_view.build(report, lang, photo=photo)
    earlier = _same_product(report)
    notes = {a.e_number: a.note for a in services().reference.additives if a.note}
    return render_template(
        "report.html", report=report, view=view, severities=dict(SEVERITIES), particulars=PARTICULARS,
        photo=photo, photo_size=report_view.photo_size(photo), original=original, earlier=earlier,
        additive_notes=notes, name=report_view.product_name(report), barcode=report_view.barcode(report),
        max_text=MAX_TEXT_CHARS)


def _same_product(report: dict[str, Any]) -> list[dict[str, Any]]:
    code = report_view.barcode(report)
    if not code:
        return []
    rows = services().storage.list_checks(barcode=code, limit=HISTORY_PAGE)
    return [r for r in rows if r.get("id") != report.get("id")]


@bp.get("/checks/<check_id>/report.json")
def check_json(check_id: str) -> Response:
    """The stored report as JSON, for the person who has the link (the API needs a key)."""
    response = jsonify(_report(check_id))
    response.headers["Content-Disposition"] = f'inline; filename="check-{check_id}.json"'
    return response


@bp.get("/checks/<check_id>/image")
def check_image(check_id: str) -> Response:
    storage = services().storage
    sha = storage.get_check_image_sha256(check_id)
    found = storage.get_image(sha) if sha else None
    if found is None:
        abort(404)
    data, media_type = found
    if media_type not in SHOWN_AS_IS or _turned(data):
        data, media_type = _as_jpeg(data), "image/jpeg"
    response = Response(data, mimetype=media_type)
    response.headers["Cache-Control"] = IMAGE_CACHE
    response.headers["Content-Security-Policy"] = IMAGE_CSP
    return response


def _turned(data: bytes) -> bool:
    """True when the file asks to be rotated (EXIF): boxes are in upright pixels, so send it upright."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            return int(img.getexif().get(EXIF_ORIENTATION, 1)) != 1
    except (OSError, ValueError, SyntaxError):
        return True


def _as_jpeg(data: bytes) -> bytes:
    """The stored upload (HEIC, PDF, TIFF, a turned JPEG...) as the upright picture the boxes refer to."""
    max_pixels = services().settings.max_pixels
    image = decode_document(data, max_pixels=max_pixels)
    if image is None:
        image = imaging.load_image(data, max_pixels=max_pixels).image
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85)
    return buf.getvalue()


@bp.post("/checks/<check_id>/recheck")
def recheck(check_id: str) -> Response:
    """Check the corrected text again; the original stays, the new check is its next revision."""
    parent = _report(check_id)
    text = _form_text()
    filename = (parent.get("input") or {}).get("filename") or DEFAULT_TEXT_NAME
    svc = services()
    report = run_text(text, filename, settings=svc.settings, ref=svc.reference)
    report["text"] = text
    product = dict(report.get("product") or {})
    for key, value in (parent.get("product") or {}).items():
        if value and not product.get(key):
            product[key] = value  # the barcode on the photo still names the product
    if product:
        report["product"] = product
    new_id = svc.storage.save_check(report, parent_id=check_id, text=text)
    return redirect(url_for("pages.show_check", check_id=new_id), code=303)


@bp.post("/checks/<check_id>/delete")
def delete_check(check_id: str) -> Response:
    if not services().storage.delete_check(check_id):
        raise CheckNotFoundError()
    return redirect(url_for("pages.history", deleted=1), code=303)


# ---------------------------------------------------------------- history and compare
@bp.get("/history")
def history() -> str:
    q = (request.args.get("q") or "").strip()[:MAX_QUERY]
    code = "".join(ch for ch in request.args.get("barcode", "") if ch.isdigit())[:14]
    if not code and GTIN_QUERY.fullmatch(q):  # a barcode typed or scanned into the search box
        code, q = q, ""
    offset = max(0, request.args.get("offset", 0, type=int) or 0)
    rows = services().storage.list_checks(q=q or None, barcode=code or None, limit=HISTORY_PAGE + 1,
                                          offset=offset)
    more = len(rows) > HISTORY_PAGE
    rows = rows[:HISTORY_PAGE]
    return render_template("history.html", groups=report_view.group_by_product(rows), q=q, barcode=code,
                           count=len(rows), offset=offset, more=more, page=HISTORY_PAGE,
                           deleted=request.args.get("deleted") == "1", max_compare=MAX_COMPARE)


@bp.get("/compare")
def compare() -> str:
    ids = list(dict.fromkeys(i for i in request.args.getlist("id") if i))[:MAX_COMPARE]
    storage = services().storage
    reports = [r for r in (storage.get_check(i) for i in ids) if r is not None]
    if ids and not reports:
        raise CheckNotFoundError()
    lang = current_language()
    columns = [report_view.summary(r, lang) for r in reports]
    return render_template("compare.html", columns=columns, missing=len(ids) - len(reports),
                           max_compare=MAX_COMPARE, severities=dict(SEVERITIES))
