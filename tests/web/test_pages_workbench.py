"""The workbench pages on the server: typed text, several files, the JSON answer the upload script reads,
re-checks as revisions, history, compare, delete (CSRF), the stored photo, languages, 404s."""
from __future__ import annotations

import io
import re
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from checker import imaging, pipeline
from checker.config import ROOT
from checker.storage import Storage
from checker.web import views
from checker.web.extensions import SERVICES_KEY
from checker.web.i18n import TRANSLATIONS
from tests.render import render_label, to_bytes
from tests.sample_labels import EN_FAIL, NL_PASS, SCRIPT_LABEL

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
GTIN = "4006381333931"


def storage_of(app: Flask) -> Storage:
    return app.extensions[SERVICES_KEY].storage


def token(client: FlaskClient) -> str:
    match = TOKEN.search(client.get("/").get_data(as_text=True))
    assert match
    return match.group(1)


def words(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def fake_run_image(data: bytes, filename: str, **_: Any) -> dict[str, Any]:
    """The real image checks (type, size) and the real text check of EN_FAIL, without Tesseract."""
    loaded = imaging.load_image(data, filename)
    report = pipeline.run_text(EN_FAIL, filename)
    report["input"] = {"filename": filename, "sha256": loaded.sha256, "media_type": loaded.media_type,
                       "width": loaded.width, "height": loaded.height}
    report["product"] = {"name": "Calm Gut Butyrate", "barcode": GTIN}
    return report


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "run_image", fake_run_image)


def save_text_check(app: Flask, text: str, name: str, *, barcode: str | None = None,
                    image: bytes | None = None) -> str:
    report = pipeline.check_text(text, name)
    report["text"] = text
    report["product"] = {"name": text.splitlines()[0], "barcode": barcode}
    if image is not None:
        img = Image.open(io.BytesIO(image))
        report["input"].update(media_type="image/png", width=img.width, height=img.height)
    return storage_of(app).save_check(report, image=image, media_type="image/png" if image else None)


PNG = to_bytes(render_label(["Calm Gut", "Ingredients: calcium butyrate."], width=600), "PNG")


# ---------------------------------------------------------------- upload
def test_the_upload_page_takes_several_files_pdfs_and_iphone_photos(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    picker = re.search(r'<input id="file"[^>]+>', html).group(0)
    assert "multiple" in picker
    for accepted in ("image/heic", ".heic", "application/pdf", "image/webp"):
        assert accepted in picker
    assert 'action="/text"' in html and '<textarea id="label-text" name="text"' in html
    assert 'data-reading="Reading the label…"' in html  # the script's progress text, translated
    assert '<script src="/static/app.js" defer></script>' in html


def test_typed_text_is_checked_and_shown(client: FlaskClient) -> None:
    response = client.post("/text", data={"csrf_token": token(client), "text": EN_FAIL, "name": "Calm tub"})
    assert response.status_code == 303
    page = client.get(response.location)
    assert '<h1 id="verdict">Fail</h1>' in page.get_data(as_text=True)
    text = words(page)
    assert "Label text" in text and "Calm tub" in text and "Correct the text and check again" in text


@pytest.mark.parametrize(("text", "message"), [
    ("   \n ", "The text is empty"),
    ("x" * (views.MAX_TEXT_CHARS + 1), "longer than"),
])
def test_unusable_typed_text_gets_a_clear_error(client: FlaskClient, text: str, message: str) -> None:
    response = client.post("/text", data={"csrf_token": token(client), "text": text})
    assert response.status_code == 400 and message in words(response)


def test_the_upload_script_gets_json(client: FlaskClient, no_ocr: None) -> None:
    data = {"csrf_token": token(client), "file": (io.BytesIO(PNG), "label.png")}
    response = client.post("/", data=data, headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["verdict"] == "fail" and body["verdict_title"] == "Fail" and body["filename"] == "label.png"
    assert body["url"] == f"/checks/{body['id']}"


@pytest.mark.parametrize(("payload", "status", "code"), [
    (b"Ingredients: butyrate", 415, "unsupported_media_type"),
    (b"", 400, "empty_file"),
])
def test_the_upload_script_gets_json_errors(client: FlaskClient, no_ocr: None, payload: bytes, status: int,
                                            code: str) -> None:
    data = {"csrf_token": token(client), "file": (io.BytesIO(payload), "notes.txt")}
    response = client.post("/", data=data, headers={"Accept": "application/json"})
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_several_files_without_script_give_a_list_of_results(client: FlaskClient, no_ocr: None) -> None:
    files = [(io.BytesIO(PNG), "front.png"), (io.BytesIO(b"%!PS-Adobe"), "notes.ps")]
    response = client.post("/", data={"csrf_token": token(client), "file": files})
    assert response.status_code == 200
    text = words(response)
    assert re.search(r"front\.png : Fail , Open the report", text)
    assert re.search(r"notes\.ps : Could not check this file: this is a text file", text)


# ---------------------------------------------------------------- report, photo, revisions
def test_the_report_shows_the_photo_with_boxes(app: Flask, client: FlaskClient, no_ocr: None) -> None:
    response = client.post("/", data={"csrf_token": token(client), "file": (io.BytesIO(PNG), "label.png")})
    html = client.get(response.location).get_data(as_text=True)
    check_id = response.location.rsplit("/", 1)[1]
    assert f'<img src="/checks/{check_id}/image"' in html
    assert re.search(r'<svg class="overlay" viewBox="0 0 600 \d+"', html)
    assert "What it means" in html and "Why it matters" in html and "Regulation (EC) 1333/2008" in html
    image = client.get(f"/checks/{check_id}/image")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == PNG
    assert "sandbox" in image.headers["Content-Security-Policy"]


def turned_jpeg() -> bytes:
    """A JPEG stored on its side with EXIF orientation 6 (as phones save portrait photos)."""
    img = render_label(["Calm Gut", "Ingredients"], width=400)
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    img.rotate(90, expand=True).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


@pytest.mark.parametrize(("data", "media_type"), [
    (turned_jpeg(), "image/jpeg"),  # boxes are in upright pixels: the browser gets it upright
    (to_bytes(render_label("Calm Gut", width=400), "TIFF"), "image/tiff"),  # browsers cannot show TIFF
])
def test_photos_a_browser_cannot_show_as_stored_are_converted(app: Flask, client: FlaskClient, data: bytes,
                                                              media_type: str) -> None:
    loaded = imaging.load_image(data)
    report = pipeline.check_text(NL_PASS, "photo")
    check_id = storage_of(app).save_check(report, image=data, media_type=media_type)
    response = client.get(f"/checks/{check_id}/image")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(response.data)).size == (loaded.width, loaded.height)


def test_a_text_check_has_no_image(app: Flask, client: FlaskClient) -> None:
    check_id = save_text_check(app, NL_PASS, "typed")
    assert client.get(f"/checks/{check_id}/image").status_code == 404
    assert "<svg" not in client.get(f"/checks/{check_id}").get_data(as_text=True)


def test_a_corrected_text_becomes_a_revision_that_links_the_original(app: Flask, client: FlaskClient) -> None:
    original = save_text_check(app, EN_FAIL, "calm.jpg", barcode=GTIN, image=PNG)
    fixed = EN_FAIL.replace("titanium dioxide", "calcium carbonate")
    response = client.post(f"/checks/{original}/recheck", data={"csrf_token": token(client), "text": fixed})
    assert response.status_code == 303
    revision = response.location.rsplit("/", 1)[1]
    stored = storage_of(app).get_check(revision)
    assert stored["revision"]["of"] == original and stored["text"] == fixed.strip()
    assert stored["product"]["barcode"] == GTIN  # still the product on the photo
    page = client.get(response.location).get_data(as_text=True)
    assert "Revision 1" in page and f'href="/checks/{original}"' in page
    assert f'<img src="/checks/{original}/image"' in page  # the original photo, boxes found on it
    assert storage_of(app).get_check(original)["verdict"] == "fail"  # the original is kept as it was
    again = client.post(f"/checks/{revision}/recheck",
                        data={"csrf_token": token(client), "text": fixed + "\nLot: L123"})
    assert "Revision 2" in client.get(again.location).get_data(as_text=True)


@pytest.mark.parametrize(("with_token", "text", "status"), [
    (False, "Ingredients: butyrate", 400),  # no CSRF token
    (True, "", 400),
])
def test_a_recheck_needs_its_token_and_text(app: Flask, client: FlaskClient, with_token: bool, text: str,
                                            status: int) -> None:
    original = save_text_check(app, EN_FAIL, "calm")
    data = {"text": text, **({"csrf_token": token(client)} if with_token else {})}
    assert client.post(f"/checks/{original}/recheck", data=data).status_code == status
    assert len(storage_of(app).list_checks()) == 1


def test_the_report_is_available_as_json(app: Flask, client: FlaskClient) -> None:
    check_id = save_text_check(app, NL_PASS, "typed")
    response = client.get(f"/checks/{check_id}/report.json")
    assert response.status_code == 200 and response.get_json()["id"] == check_id


@pytest.mark.parametrize("path", [
    "/checks/AAAAAAAAAAAAAAAAAAAAAA", "/checks/AAAAAAAAAAAAAAAAAAAAAA/image",
    "/checks/AAAAAAAAAAAAAAAAAAAAAA/report.json", "/compare?id=AAAAAAAAAAAAAAAAAAAAAA",
    "/checks/" + "x" * 500, "/no-such-page",
])
def test_unknown_addresses_are_404_pages(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and "Not found" in words(response)


# ---------------------------------------------------------------- history, delete, compare
def test_history_lists_searches_and_groups_by_product(app: Flask, client: FlaskClient) -> None:
    first = save_text_check(app, EN_FAIL, "calm-1.jpg", barcode=GTIN)
    second = save_text_check(app, EN_FAIL, "calm-2.jpg", barcode=GTIN)
    save_text_check(app, NL_PASS, "butyra.jpg")
    page = words(client.get("/history"))
    assert f"Product {GTIN}: 2 checks" in page
    assert "Calm Gut Butyrate" in page and "Butyra Forte" in page and "Pass" in page and "Fail" in page
    assert "Butyra Forte" not in words(client.get("/history?q=calm"))
    assert "Calm Gut" not in words(client.get("/history?q=BUTYRA FORTE"))
    assert "Butyra Forte" not in words(client.get(f"/history?barcode={GTIN}"))
    by_code = words(client.get(f"/history?q={GTIN}"))  # a barcode in the search box
    assert "Calm Gut Butyrate" in by_code and "Butyra Forte" not in by_code
    report_page = client.get(f"/checks/{second}").get_data(as_text=True)
    assert "Earlier checks of this product" in report_page and f'href="/checks/{first}"' in report_page


def test_history_says_when_nothing_is_there(client: FlaskClient) -> None:
    assert "No labels have been checked yet." in words(client.get("/history"))
    assert "No check matches." in words(client.get("/history?q=nothing"))


def test_delete_needs_the_forms_token(app: Flask, client: FlaskClient) -> None:
    check_id = save_text_check(app, NL_PASS, "typed")
    assert client.post(f"/checks/{check_id}/delete").status_code == 400
    assert client.get(f"/checks/{check_id}/delete").status_code == 405
    assert storage_of(app).get_check(check_id) is not None
    response = client.post(f"/checks/{check_id}/delete", data={"csrf_token": token(client)})
    assert response.status_code == 303 and response.location == "/history?deleted=1"
    assert storage_of(app).get_check(check_id) is None
    assert "The check was deleted." in words(client.get(response.location))
    again = client.post(f"/checks/{check_id}/delete", data={"csrf_token": token(client)})
    assert again.status_code == 404


def test_compare_puts_checks_side_by_side(app: Flask, client: FlaskClient) -> None:
    fail = save_text_check(app, EN_FAIL, "calm")
    ok = save_text_check(app, NL_PASS, "butyra")
    html = client.get(f"/compare?id={fail}&id={ok}&id={fail}").get_data(as_text=True)
    heads = re.findall(r'<th scope="col"><a href="/checks/([\w-]+)">', html)
    assert heads == [fail, ok]  # each check once, in the order asked
    text = words(client.get(f"/compare?id={fail}&id={ok}"))
    assert "Butyric acid per day 987 mg 800 mg" in text
    assert "Sodium per day — 209 mg" in text
    assert "E171 titanium dioxide" in text and "Fail Pass" in text


def test_compare_explains_what_it_needs(app: Flask, client: FlaskClient) -> None:
    one = save_text_check(app, NL_PASS, "butyra")
    assert "Select two to 6 checks" in words(client.get(f"/compare?id={one}"))
    text = words(client.get(f"/compare?id={one}&id=AAAAAAAAAAAAAAAAAAAAAA"))
    assert "1 check could not be found" in text


# ---------------------------------------------------------------- languages
@pytest.mark.parametrize(("headers", "query", "lang", "heading"), [
    ({"Accept-Language": "nl-BE,nl;q=0.9,en;q=0.5"}, "", "nl", "Controleer een supplementetiket"),
    ({"Accept-Language": "de-DE,de;q=0.9"}, "", "en", "Check a supplement label"),  # no German: English
    ({"Accept-Language": "nl"}, "?lang=en", "en", "Check a supplement label"),  # the switch wins
    ({}, "?lang=nl", "nl", "Controleer een supplementetiket"),
    ({}, "?lang=xx", "en", "Check a supplement label"),
])
def test_the_language_comes_from_the_browser_or_the_switch(client: FlaskClient, headers: dict, query: str,
                                                           lang: str, heading: str) -> None:
    html = client.get("/" + query, headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and heading in html


def test_the_chosen_language_is_remembered(client: FlaskClient) -> None:
    response = client.get("/history?lang=nl")
    assert "lang=nl" in response.headers["Set-Cookie"]
    assert "Accept-Language" in response.headers["Vary"]
    assert "<h1>Geschiedenis</h1>" in client.get("/history").get_data(as_text=True)


def test_a_dutch_report_explains_findings_in_dutch(app: Flask, client: FlaskClient) -> None:
    check_id = save_text_check(app, EN_FAIL.replace("Net contents: 60 capsules\n", ""), "calm")
    text = words(client.get(f"/checks/{check_id}?lang=nl"))
    assert "Afgekeurd" in text and "Wat het betekent" in text and "Waarom het ertoe doet" in text
    assert "De netto hoeveelheid (gewicht, volume of aantal) ontbreekt." in text
    assert "Verordening (EU) 1169/2011, art. 9, lid 1, e), en art. 23." in text
    assert "Netto hoeveelheid: ontbreekt" in text


def test_the_language_switch_keeps_the_page_and_its_query(client: FlaskClient) -> None:
    html = client.get("/history?q=calm").get_data(as_text=True)
    assert 'href="/history?q=calm&amp;lang=nl"' in html


def test_every_interface_text_has_a_dutch_translation() -> None:
    catalog = read_po((TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po").open("rb"))
    compiled = read_mo((TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.mo").open("rb"))
    method_map = [("checker/web/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None}
    found = {msgid for _, _, msgid, *_ in extract_from_dir(str(ROOT), method_map, keywords=keywords)}
    assert len(found) > 150  # the templates were read
    untranslated = [m for m in found if not (catalog.get(m) and catalog.get(m).string)]
    assert not untranslated, f"add to the .po and compile (see checker/web/i18n.py): {untranslated}"
    def pairs(messages: Any) -> dict:
        return {m.id if isinstance(m.id, str) else tuple(m.id): m.string if isinstance(m.string, str)
                else tuple(m.string) for m in messages if m.id}

    assert pairs(catalog) == pairs(compiled), \
        "the committed .mo is older than the .po: run pybabel compile -d checker/translations"


def test_label_markup_in_typed_text_stays_text(client: FlaskClient) -> None:
    response = client.post("/text", data={"csrf_token": token(client), "text": SCRIPT_LABEL,
                                          "name": "<img src=x onerror=alert(1)>"})
    html = client.get(response.location).get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert "<script" not in main and "<img src=x" not in main and "<b onmouseover" not in main
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in main


def pdf_of(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PDF", resolution=150)
    return buf.getvalue()


def heic_of(image: Image.Image) -> bytes:
    import pillow_heif

    buf = io.BytesIO()
    pillow_heif.from_pillow(image).save(buf, quality=90)
    return buf.getvalue()


# imaging.load_image() hands PDF and HEIC bytes to checker.documents


@pytest.mark.parametrize(("maker", "name"), [(pdf_of, "label.pdf"), (heic_of, "IMG_0001.HEIC")])
def test_pdf_and_iphone_photos_are_checked_and_shown(client: FlaskClient, no_ocr: None, maker: Any,
                                                     name: str) -> None:
    data = maker(render_label(["Calm Gut", "Ingredients: calcium butyrate."], width=600))
    response = client.post("/", data={"csrf_token": token(client), "file": (io.BytesIO(data), name)})
    assert response.status_code == 303, words(response)
    check_id = response.location.rsplit("/", 1)[1]
    image = client.get(f"/checks/{check_id}/image")  # drawn as a picture the browser can show
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    html = client.get(response.location).get_data(as_text=True)
    width, height = Image.open(io.BytesIO(image.data)).size
    assert f'viewBox="0 0 {width} {height}"' in html  # the boxes are drawn on that same picture
