"""A database that is down or full gives a clear 503 and never a half-written check."""
from __future__ import annotations

import dataclasses
import io
import random
import re
import time

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import event, func, select, text

from checker import ocr
from checker.models import OcrResult
from checker.storage import Check, Storage, StoredImage, make_engine
from checker.web.app import DatabaseUnavailableError, create_app
from checker.web.extensions import SERVICES_KEY
from tests.render import to_bytes

UNREACHABLE = "postgresql://checker:s3cret-password@127.0.0.1:1/checks"
LABEL_TEXT = "Ingredients: sodium butyrate 600 mg, rice flour. Take 2 capsules per day."
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def fake_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """OCR that reads LABEL_TEXT at once: these tests are about storage, not Tesseract."""
    result = OcrResult(text=LABEL_TEXT, words=(), mean_confidence=90.0, languages="eng",
                       engine="tesseract 5.3.0", seconds=0.0)
    monkeypatch.setattr(ocr, "ocr_image", lambda *args, **kwargs: result)


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "API_AUTH": False}


def _noise_png(side: int = 300) -> bytes:
    rng = random.Random(side)
    return to_bytes(Image.frombytes("L", (side, side), rng.randbytes(side * side)), "PNG")


def _rows(storage: Storage) -> tuple[int, int]:
    with storage.engine.connect() as conn:
        checks = conn.execute(select(func.count()).select_from(Check)).scalar_one()
        images = conn.execute(select(func.count()).select_from(StoredImage)).scalar_one()
    return checks, images


def _post_photo(client, data: bytes) -> tuple[int, dict]:  # noqa: ANN001 - a Flask test client
    response = client.post("/api/v1/checks", data={"file": (io.BytesIO(data), "label.png")})
    assert response.is_json
    return response.status_code, response.get_json()


def test_an_unreachable_database_stops_the_start_with_a_clear_message(app_config: dict):
    started = time.perf_counter()
    with pytest.raises(DatabaseUnavailableError) as caught:
        create_app({**app_config, "DATABASE_URL": UNREACHABLE})
    assert time.perf_counter() - started < 15
    message = caught.value.message
    assert "127.0.0.1:1" in message and "s3cret-password" not in message
    assert caught.value.http_status == 503


@pytest.fixture
def database_down(app: Flask) -> Storage:
    """The app's database goes away while it runs; returns the real (still intact) storage."""
    services = app.extensions[SERVICES_KEY]
    app.extensions[SERVICES_KEY] = dataclasses.replace(services, storage=Storage(make_engine(UNREACHABLE)))
    return services.storage


@pytest.mark.usefixtures("fake_ocr")
def test_a_database_that_goes_down_gives_503_json_and_saves_nothing(app: Flask, database_down: Storage):
    client = app.test_client()
    status, body = _post_photo(client, _noise_png())
    assert status == 503 and body["error"]["code"] == "database_unavailable"
    assert "nothing was saved" in body["error"]["message"]
    listing = client.get("/api/v1/checks")
    assert listing.status_code == 503 and listing.headers["Retry-After"] == "30"
    assert _rows(database_down) == (0, 0)


def test_a_database_that_goes_down_gives_a_503_page_to_people(app: Flask, database_down: Storage):
    page = app.test_client().get("/history")
    assert page.status_code == 503 and "text/html" in page.content_type
    assert "Traceback" not in page.get_data(as_text=True)


def test_a_keyed_api_request_gets_503_not_401_when_keys_cannot_be_read(app_config: dict):
    app = create_app({**app_config, "API_AUTH": True})
    try:
        key = app.extensions[SERVICES_KEY].storage.create_api_key("t")[1]
        services = app.extensions[SERVICES_KEY]
        down = Storage(make_engine(UNREACHABLE))
        app.extensions[SERVICES_KEY] = dataclasses.replace(services, storage=down)
        response = app.test_client().get("/api/v1/checks", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 503 and response.get_json()["error"]["code"] == "database_unavailable"
    finally:
        services.storage.dispose()


@pytest.fixture
def full_disk(app: Flask) -> Storage:
    """SQLite answers 'database or disk is full' once the file would grow by more than a few pages."""
    storage = app.extensions[SERVICES_KEY].storage
    with storage.engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()

    @event.listens_for(storage.engine, "connect")
    def _cap(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 4}")

    storage.engine.dispose()  # new connections get the cap
    return storage


@pytest.mark.usefixtures("fake_ocr")
def test_a_full_disk_gives_503_and_no_half_written_check(app: Flask, full_disk: Storage):
    client = app.test_client()
    status, body = _post_photo(client, _noise_png())  # the image alone needs far more than 4 pages
    assert status == 503 and body["error"]["code"] == "storage_full", body
    assert "nothing was saved" in body["error"]["message"]
    assert _rows(full_disk) == (0, 0)
    assert client.get("/api/v1/checks").status_code == 200, "reading still works on a full disk"


def test_a_full_disk_on_a_page_form_shows_a_503_page(app: Flask, full_disk: Storage):
    client = app.test_client()
    token = CSRF_INPUT.search(client.get("/").get_data(as_text=True)).group(1)
    response = client.post("/text", data={"text": LABEL_TEXT + " x" * 10_000, "csrf_token": token})
    assert response.status_code == 503 and "text/html" in response.content_type
    assert _rows(full_disk) == (0, 0)
