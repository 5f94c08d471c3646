"""JSON API: a label photo in, the stored report out; every bad request gets a clear 4xx JSON error;
only a valid API key gets in, and a key sees only its own checks."""
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
def test_a_label_photo_is_checked_stored_and_read_back(api_client: FlaskClient, label_png: bytes) -> None:
    response = upload(api_client, label_png, "butyra-forte.png")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["schema"] == "label-check/1" and len(report["id"]) >= 22
    assert report["verdict"] == NL_PASS_EXPECTED["verdict"]
    active = next(a for a in report["actives"] if a["id"] == NL_PASS_EXPECTED["active"])
    assert active["per_day_mg_max"] == pytest.approx(NL_PASS_EXPECTED["per_day_mg_max"], rel=0.02)
    assert {f["rule"] for f in report["findings"]} == NL_PASS_EXPECTED["rules"]
    assert report["input"]["filename"] == "butyra-forte.png" and report["input"]["media_type"] == "image/png"
    assert set(report["timings"]) == {"prepare", "barcode", "ocr", "parse", "rules", "report"}
    assert response.headers["Location"] == f"{URL}/{report['id']}"
    again = api_client.get(f"{URL}/{report['id']}")
    assert again.status_code == 200 and again.get_json() == report
    assert "reused" not in report


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"data": {}, "content_type": "multipart/form-data"}, 400, "no_file"),
    ({"json": {"file": "label.png"}}, 400, "no_file"),
    ({"data": b"\x89PNG raw body", "content_type": "image/png"}, 400, "no_file"),
    ({"data": {"photo": (io.BytesIO(SMALL_PNG), "label.png")}}, 400, "no_file"),  # wrong field name
    ({"data": {"file": (io.BytesIO(b""), "label.jpg")}}, 400, "empty_file"),
    ({"data": {"file": (io.BytesIO(b"Ingredients: sodium butyrate 500 mg\n"), "label.jpg")}}, 415,
     "unsupported_media_type"),
    # PDFs are read (first pages), so a PDF cut off after its header is a damaged upload, not a wrong type
    ({"data": {"file": (io.BytesIO(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), "label.png")}}, 400, "bad_input"),
])
def test_bad_uploads_get_a_clear_json_error(app: Flask, api_client: FlaskClient, kwargs: dict, status: int,
                                            code: str) -> None:
    response = api_client.post(URL, **kwargs)
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

    client = create_app({**app_config, **setting, "API_AUTH": False}).test_client()
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
def test_unknown_ids_and_routes_are_json_errors(api_client: FlaskClient, method: str, path: str, status: int,
                                                code: str) -> None:
    response = getattr(api_client, method)(path)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    if status == 405:
        assert "POST" in response.headers["Allow"] or "GET" in response.headers["Allow"]


def test_ocr_timeout_is_504_not_a_crash(api_client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*_args: object, **_kwargs: object) -> None:
        raise OcrTimeoutError("Reading the photo took longer than 60 seconds.")

    monkeypatch.setattr("checker.ocr.ocr_image", slow)
    response = upload(api_client, SMALL_PNG)
    assert response.status_code == 504
    assert response.get_json()["error"] == {"code": "ocr_timeout",
                                            "message": "Reading the photo took longer than 60 seconds."}


def test_a_bug_is_a_500_json_without_internals(api_client: FlaskClient,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("checker.pipeline.parse_label", broken)
    monkeypatch.setattr("checker.ocr.ocr_image", broken)
    response = upload(api_client, SMALL_PNG)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "secret" not in response.get_data(as_text=True)


def test_the_api_needs_no_csrf_token_but_pages_do(client: FlaskClient, api_client: FlaskClient) -> None:
    # the upload gets past CSRF to the image check (415), while the same upload to the page form is refused
    text = {"file": (io.BytesIO(b"plain text"), "a.jpg")}
    assert api_client.post(URL, data=text).status_code == 415
    page = client.post("/", data={"file": (io.BytesIO(b"plain text"), "a.jpg")})
    assert page.status_code == 400 and "csrf" in page.get_data(as_text=True).lower()


# ---------------------------------------------------------------- API keys
def _stored_check(app: Flask, owner: str | None) -> str:
    storage = app.extensions[SERVICES_KEY].storage
    return storage.save_check({"schema": "label-check/1", "verdict": "pass", "input": {"filename": "a.png"}},
                              owner=owner)


@pytest.mark.parametrize(("header", "code"), [
    (None, "unauthorized"),
    ("", "unauthorized"),
    ("Bearer", "unauthorized"),
    ("Basic dXNlcjpwYXNz", "unauthorized"),
    ("Bearer not-a-key", "invalid_api_key"),
    ("Bearer " + "x" * 5000, "invalid_api_key"),
])
def test_the_api_refuses_requests_without_a_valid_key(app: Flask, api_key: str, header: str | None,
                                                      code: str) -> None:
    client = app.test_client()
    headers = {} if header is None else {"Authorization": header}
    for response in (client.get(f"{URL}/{_stored_check(app, None)}", headers=headers),
                     client.post(URL, headers=headers, data={"file": (io.BytesIO(SMALL_PNG), "a.png")}),
                     client.get("/api/v1/batches/abc", headers=headers)):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == code
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert stored_count(app) == 1  # nothing was checked or stored for the refused upload


def test_a_revoked_key_stops_working_at_once(app: Flask) -> None:
    storage = app.extensions[SERVICES_KEY].storage
    key_id, key = storage.create_api_key("lab")
    headers = {"Authorization": f"Bearer {key}"}
    client = app.test_client()
    assert client.get(f"{URL}?limit=1", headers=headers).status_code == 200
    assert storage.revoke_api_key(key_id)
    assert client.get(f"{URL}?limit=1", headers=headers).get_json()["error"]["code"] == "invalid_api_key"


def test_a_key_sees_only_its_own_checks(app: Flask, api_client: FlaskClient) -> None:
    storage = app.extensions[SERVICES_KEY].storage
    other_owner, _ = storage.create_api_key("other shop")
    theirs = _stored_check(app, other_owner)
    mine_id = storage.api_key_owner(api_client.environ_base["HTTP_AUTHORIZATION"].split()[1])
    mine = _stored_check(app, mine_id)
    assert api_client.get(f"{URL}/{theirs}").status_code == 404
    assert api_client.get(f"{URL}/{mine}").status_code == 200
    assert [c["id"] for c in api_client.get(URL).get_json()["checks"]] == [mine]
    assert app.test_client().get(f"/checks/{theirs}").status_code == 200  # the browser pages need no key


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_the_api_description_is_public(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_auth_can_be_switched_off_for_local_use(app_config: dict) -> None:
    from checker.web.app import create_app

    client = create_app({**app_config, "API_AUTH": False}).test_client()
    assert client.get(f"{URL}?limit=1").status_code == 200


@pytest.mark.parametrize(("query", "status"), [
    ("?limit=0", 400), ("?limit=abc", 400), ("?offset=-1", 400), ("?limit=200&offset=5", 200),
    ("?q=%25_%5C", 200), ("?barcode=5412345678901", 200),
])
def test_listing_checks_validates_its_parameters(api_client: FlaskClient, query: str, status: int) -> None:
    response = api_client.get(URL + query)
    assert response.status_code == status
    assert (response.get_json()["checks"] == []) if status == 200 else \
        response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.tesseract
def test_the_same_photo_again_reuses_the_stored_report(app: Flask, api_client: FlaskClient,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    png = to_bytes(render_label("Velora Balans\nIngredients: sodium butyrate 500 mg", width=600), "PNG")
    first = upload(api_client, png, "first.png").get_json()
    monkeypatch.setattr("checker.jobs.run_image", lambda *a, **k: pytest.fail("checked again"))
    second = upload(api_client, png, "second.png").get_json()
    assert second["reused"] is True and second["id"] != first["id"]
    assert second["input"]["filename"] == "second.png" and second["verdict"] == first["verdict"]
    assert second["findings"] == first["findings"]
    assert stored_count(app) == 2
    storage = app.extensions[SERVICES_KEY].storage
    assert storage.get_image(first["input"]["sha256"]) == (png, "image/png")  # kept once, by SHA-256


def test_the_docs_page_shows_every_endpoint_of_the_document(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert document["openapi"].startswith("3.") and document["servers"] == [{"url": "/api/v1"}]
    operations = [(method.upper(), path) for path, item in document["paths"].items() for method in item
                  if method != "parameters"]
    assert len(operations) == 9
    for method, path in operations:
        assert f"<code>{method} {path}</code>" in page
    assert "<script" not in page and "http" not in page.replace('href="openapi.json"', "")
