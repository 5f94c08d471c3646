"""A Tesseract that times out or crashes fails that one check or item with the reason, and leaves nothing."""
from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytesseract
import pytest
from flask import Flask
from flask.testing import FlaskClient

from checker import jobs, ocr, pipeline
from checker.config import Settings
from checker.errors import OcrError, OcrTimeoutError
from checker.reference import default_reference
from checker.storage import Storage
from tests.render import render_label, to_bytes

pytestmark = pytest.mark.tesseract
TINY_TIMEOUT = 0.05  # s: Tesseract needs longer than this just to load its languages
LABEL = ["Butyrate Forte", "Ingredients: sodium butyrate 600 mg, rice flour, magnesium stearate.",
         "Take 2 capsules per day. Do not exceed the recommended daily dose."]
# a Tesseract that answers questions about itself but dies on every image, half-way through its output
CRASHING = """#!/bin/sh
case "$1" in --version|--list-langs) exec {real} "$@";; esac
echo "partial output" > "$2.tsv"
echo "Segmentation fault (core dumped) in fake tesseract" >&2
kill -SEGV $$
"""


@pytest.fixture(scope="module")
def label_png() -> bytes:
    return to_bytes(render_label(LABEL, width=700, font_size=22), "PNG")


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The temporary directory pytesseract writes to, private to this test (others run in parallel)."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    yield private


@pytest.fixture
def crashing_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    real = shutil.which(pytesseract.pytesseract.tesseract_cmd) or "tesseract"
    script = tmp_path / "tesseract"
    script.write_text(CRASHING.format(real=real))
    script.chmod(0o755)
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(script))
    return script


def _live_tesseract_children() -> list[int]:
    """Pids of child processes of this test process that are Tesseract and not yet reaped zombies."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
        if int(ppid) == os.getpid() and "tesseract" in name and state != "Z":
            out.append(int(entry.name))
    return out


def _settings(tmp_path: Path, timeout: float) -> Settings:
    return Settings.from_env({}, instance_dir=tmp_path, ocr_timeout=timeout)


def test_timeout_stops_tesseract_and_leaves_no_temp_files(label_png: bytes, temp_dir: Path):
    from PIL import Image

    image = Image.open(io.BytesIO(label_png)).convert("RGB")
    with pytest.raises(OcrTimeoutError) as caught:
        ocr.read_text(image, timeout=TINY_TIMEOUT)
    assert caught.value.code == "ocr_timeout" and "took longer than" in caught.value.message
    assert list(temp_dir.iterdir()) == []
    assert _live_tesseract_children() == []


def test_timeout_fails_the_check_with_the_reason(label_png: bytes, temp_dir: Path, tmp_path: Path):
    report = pipeline.check_image(label_png, "label.png", settings=_settings(tmp_path, TINY_TIMEOUT))
    assert report["verdict"] is None
    assert report["error"]["code"] == "ocr_timeout" and "took longer than" in report["error"]["message"]
    assert report["input"]["sha256"]  # what was checked is still said
    assert list(temp_dir.iterdir()) == []


@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "OCR_TIMEOUT": TINY_TIMEOUT}


def test_timeout_in_the_api_is_a_clear_json_error_and_stores_nothing(api_client: FlaskClient, app: Flask,
                                                                      label_png: bytes, temp_dir: Path):
    from checker.web.extensions import SERVICES_KEY

    response = api_client.post("/api/v1/checks", data={"file": (io.BytesIO(label_png), "label.png")})
    assert response.is_json and response.status_code == 504
    assert response.get_json()["error"]["code"] == "ocr_timeout"
    assert app.extensions[SERVICES_KEY].storage.list_checks() == []
    assert list(temp_dir.iterdir()) == []


def test_crash_fails_with_the_reason_and_leaves_no_temp_files(label_png: bytes, temp_dir: Path,
                                                               crashing_tesseract: Path, tmp_path: Path):
    report = pipeline.check_image(label_png, "label.png", settings=_settings(tmp_path, 30))
    assert report["verdict"] is None and report["error"]["code"] == "ocr_failed"
    assert "Tesseract failed" in report["error"]["message"]
    assert "Segmentation fault" in report["error"]["message"]
    assert list(temp_dir.iterdir()) == []
    assert _live_tesseract_children() == []


def test_missing_tesseract_says_how_to_install_it(label_png: bytes, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path):
    from PIL import Image

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(tmp_path / "no-such-tesseract"))
    with pytest.raises(OcrError) as caught:
        ocr.read_text(Image.open(io.BytesIO(label_png)), timeout=30)
    assert "not installed" in caught.value.message


@pytest.mark.parametrize("failure", ["crash", "timeout"])
def test_a_batch_item_whose_ocr_fails_keeps_the_reason_and_the_batch_goes_on(
        failure: str, label_png: bytes, tmp_path: Path, temp_dir: Path, request: pytest.FixtureRequest):
    if failure == "crash":
        request.getfixturevalue("crashing_tesseract")
    storage = Storage.from_url(f"sqlite:///{tmp_path / 'batch.sqlite3'}")
    storage.retry_backoff = (0.0,)
    try:
        timeout = TINY_TIMEOUT if failure == "timeout" else 30
        job = jobs.JobServices(storage=storage, settings=_settings(tmp_path, timeout),
                               reference=default_reference())
        batch_id = storage.create_batch(None, [("label.png", label_png, None), ("notes.txt", b"hello", None)])
        outcomes = [jobs.process_item(item_id, job=job) for item_id in storage.batch_item_ids(batch_id)]
        items = storage.batch_status(batch_id)["items"]
    finally:
        storage.dispose()
    if failure == "crash":
        assert outcomes == ["failed", "failed"]
        assert items[0]["error"]["code"] == "ocr_failed"
        assert "Tesseract failed" in items[0]["error"]["message"]
    else:  # a timeout may be the machine's load: the item goes back in the queue, its attempt counted
        assert outcomes[0] == "queued" and items[0]["status"] == "queued" and items[0]["attempts"] == 1
    assert items[1]["error"]["code"] == "unsupported_media_type"  # the other file was still handled
    assert list(temp_dir.iterdir()) == []
