"""JSON API: a label photo in, the stored report out; every bad request gets a clear 4xx JSON error."""
from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from checker.errors import OcrTimeoutError
from checker.storage import Check
from checker.web.extensions import SERVICES_KEY
from tests.render import render_label, to_bytes
from tests.sample_labels import NL_PASS, NL_PASS_EXPECTED

URL = "/api/v1/checks"
SMALL_PNG = to_bytes(render_label("x", width=200), "PNG")


@pytest.fixture(scope="module")
def label_png() -> bytes:
    return to_bytes(render_label(NL_PASS), "PNG")


def stored_count(app: Flask) -> int:
    with app.extensions[SERVICES_KEY].storage.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Check)).scalar_one()


def upload(client: FlaskClient, data: bytes, name: str = "label.png", field: str = "file"):
    return client.post(URL, data={field: (io.BytesIO(data), name)}, content_type="multipart/form-data")


@pytest.mark.tesseract
def test_a_label_photo_is_checked_stored_and_read_back(client: FlaskClient, label_png: bytes) -> None:
    response = upload(client, label_png, "butyra-forte.png")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["schema"] == "label-check/1" and len(report["id"]) >= 22
    assert report["verdict"] == NL_PASS_EXPECTED["verdict"]
    active = next(a for a in report["actives"] if a["id"] == NL_PASS_EXPECTED["active"])
    assert active["per_day_mg_max"] == pytest.approx(NL_PASS_EXPECTED["per_day_mg_max"], rel=0.02)
    assert {f["rule"] for f in report["findings"]} == NL_PASS_EXPECTED["rules"]
    assert report["input"]["filename"] == "butyra-forte.png" and report["input"]["media_type"] == "image/png"
    assert set(report["timings"]) == {"prepare", "ocr", "parse", "rules", "report"}
    assert response.headers["Location"] == f"{URL}/{report['id']}"
    again = client.get(f"{URL}/{report['id']}")
    assert again.status_code == 200 and again.get_json() == report


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"data": {}, "content_type": "multipart/form-data"}, 400, "no_file"),
    ({"json": {"file": "label.png"}}, 400, "no_file"),
    ({"data": b"\x89PNG raw body", "content_type": "image/png"}, 400, "no_file"),
    ({"data": {"photo": (io.BytesIO(SMALL_PNG), "label.png")}}, 400, "no_file"),  # wrong field name
    ({"data": {"file": (io.BytesIO(b""), "label.jpg")}}, 400, "empty_file"),
    ({"data": {"file": (io.BytesIO(b"Ingredients: sodium butyrate 500 mg\n"), "label.jpg")}}, 415,
     "unsupported_media_type"),
    ({"data": {"file": (io.BytesIO(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "label.png")}}, 415,
     "unsupported_media_type"),
])
def test_bad_uploads_get_a_clear_json_error(app: Flask, client: FlaskClient, kwargs: dict, status: int,
                                            code: str) -> None:
    response = client.post(URL, **kwargs)
    assert response.status_code == status
    body = response.get_json()
    assert body["error"]["code"] == code and len(body["error"]["message"]) > 10
    assert stored_count(app) == 0


@pytest.mark.parametrize(("setting", "data"), [
    ({"MAX_UPLOAD_MB": 0.01}, b"\xff\xd8\xff" + bytes(20_000)),  # body over the upload limit
    ({"MAX_PIXELS": 5_000}, SMALL_PNG),  # a valid image with more pixels than allowed
])
def test_too_large_is_413(app_config: dict, setting: dict, data: bytes) -> None:
    from checker.web.app import create_app

    client = create_app({**app_config, **setting}).test_client()
    response = upload(client, data, "big.jpg")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("get", f"{URL}/AAAAAAAAAAAAAAAAAAAAAA", 404, "not_found"),
    ("get", f"{URL}/{'x' * 300}", 404, "not_found"),
    ("get", "/api/v1/nothing-here", 404, "not_found"),
    ("delete", URL, 405, "method_not_allowed"),
    ("put", f"{URL}/abc", 405, "method_not_allowed"),
])
def test_unknown_ids_and_routes_are_json_errors(client: FlaskClient, method: str, path: str, status: int,
                                                code: str) -> None:
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    if status == 405:
        assert "POST" in response.headers["Allow"] or "GET" in response.headers["Allow"]


def test_ocr_timeout_is_504_not_a_crash(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*_args: object, **_kwargs: object) -> None:
        raise OcrTimeoutError("Reading the photo took longer than 60 seconds.")

    monkeypatch.setattr("checker.ocr.ocr_image", slow)
    response = upload(client, SMALL_PNG)
    assert response.status_code == 504
    assert response.get_json()["error"] == {"code": "ocr_timeout",
                                            "message": "Reading the photo took longer than 60 seconds."}


def test_a_bug_is_a_500_json_without_internals(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("checker.pipeline.parse_label", broken)
    monkeypatch.setattr("checker.ocr.ocr_image", broken)
    response = upload(client, SMALL_PNG)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "secret" not in response.get_data(as_text=True)


def test_the_api_needs_no_csrf_token_but_pages_do(client: FlaskClient) -> None:
    # the upload gets past CSRF to the image check (415), while the same upload to the page form is refused
    text = {"file": (io.BytesIO(b"plain text"), "a.jpg")}
    assert client.post(URL, data=text).status_code == 415
    page = client.post("/", data={"file": (io.BytesIO(b"plain text"), "a.jpg")})
    assert page.status_code == 400 and "csrf" in page.get_data(as_text=True).lower()
