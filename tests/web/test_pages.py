"""Pages for people: an upload form that works on phones, a readable report, friendly errors."""
from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from checker.pipeline import check_text
from checker.web.extensions import SERVICES_KEY
from tests.render import render_label, to_bytes
from tests.sample_labels import EN_FAIL, EN_FAIL_EXPECTED, SCRIPT_LABEL

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient) -> str:
    match = TOKEN.search(client.get("/").get_data(as_text=True))
    assert match, "the upload form carries a CSRF token"
    return match.group(1)


def post_form(client: FlaskClient, *files: tuple[bytes, str]):
    data = {"csrf_token": csrf_token(client), "file": [(io.BytesIO(b), name) for b, name in files]}
    return client.post("/", data=data, content_type="multipart/form-data")


def text_of(html: str) -> str:
    """The visible words of a page, one space between them."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_upload_form_takes_photos_from_a_phone(client: FlaskClient) -> None:
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html and 'method="post"' in html
    assert 'accept="image/*" capture="environment"' in html  # opens the camera on a phone
    assert html.count('type="file" name="file"') == 2  # and a plain file picker
    assert '<meta name="viewport"' in html and 'lang="en"' in html
    assert re.search(r'<label for="photo">', html) and re.search(r'<label for="file">', html)


@pytest.mark.tesseract
def test_a_photo_gives_a_readable_report_page(client: FlaskClient) -> None:
    photo = to_bytes(render_label(EN_FAIL), "JPEG", quality=92)
    # the phone's camera input is left empty, the file picker holds the photo
    response = post_form(client, (b"", ""), (photo, "calm-gut.jpg"))
    assert response.status_code == 303
    assert re.fullmatch(r"/checks/[\w-]{22,}", response.location)
    page = client.get(response.location)
    html, words = page.get_data(as_text=True), text_of(page.get_data(as_text=True))
    assert page.status_code == 200
    assert '<h1 id="verdict">Fail</h1>' in html
    assert "calm-gut.jpg" in words
    assert f"{EN_FAIL_EXPECTED['per_day_mg_max']} mg" in words  # calcium butyrate per day
    assert "additive.banned-eu" in html and "E171" in words
    assert "Net quantity: present" in words
    assert "Text read from the photo" in words and "Calm Gut" in words


@pytest.mark.parametrize(("files", "status", "message"), [
    ([(b"", "label.jpg")], 400, "empty"),  # a chosen file with nothing in it
    ([(b"", ""), (b"", "")], 400, "No file"),  # nothing chosen in either input
    ([(b"Ingredients: butyrate", "label.jpg")], 415, "text file"),
])
def test_upload_errors_show_a_friendly_page(client: FlaskClient, files: list, status: int,
                                            message: str) -> None:
    response = post_form(client, *files)
    assert response.status_code == status
    words = text_of(response.get_data(as_text=True))
    assert message in words and "Check another label" in words
    assert "Traceback" not in words


def test_a_form_without_its_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/", data={"file": (io.BytesIO(b"x"), "a.png")})
    assert response.status_code == 400
    assert "Reload the page" in text_of(response.get_data(as_text=True))


def test_unknown_check_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/checks/AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 404
    assert "Not found" in text_of(response.get_data(as_text=True))


def test_label_text_with_markup_is_shown_as_text(app: Flask, client: FlaskClient) -> None:
    storage = app.extensions[SERVICES_KEY].storage
    report = check_text(SCRIPT_LABEL, "<script>alert(1)</script>.txt")
    # every string the page shows may come from the label: put markup in all of them
    report["ocr"] = {"engine": "tesseract 5.3.0", "languages": "eng", "mean_confidence": 90, "seconds": 1,
                     "text": SCRIPT_LABEL}
    report["findings"].append({"rule": "claim.disease", "severity": "error", "message": "<i>claim</i>",
                               "evidence": "<img src=x onerror=alert(2)>"})
    report["particulars"]["lot"] = "<script>lot()</script>"
    html = client.get(f"/checks/{storage.save_check(report)}").get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert "<script" not in main and "<img src=x" not in html and "<b onmouseover" not in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>']  # only our own file
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_pages_send_security_headers(client: FlaskClient) -> None:
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"


def test_an_unreadable_verdict_does_not_call_particulars_missing(app: Flask, client: FlaskClient) -> None:
    report = {"schema": "label-check/1", "verdict": "unreadable", "language": None,
              "input": {"filename": "a.jpg"},
              "findings": [{"rule": "ocr.unreadable", "severity": "error", "message": "Take a sharper photo.",
                            "evidence": None}],
              "particulars": {"lot": False}, "actives": [], "ingredients": [], "versions": {}}
    check_id = app.extensions[SERVICES_KEY].storage.save_check(report)
    words = text_of(client.get(f"/checks/{check_id}").get_data(as_text=True))
    assert "Unreadable" in words and "Take a sharper photo." in words
    assert "Lot or batch number: not read" in words and "missing" not in words
