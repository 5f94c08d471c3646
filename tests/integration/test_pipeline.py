"""check_image/check_text run every stage in order, time them, and turn failures into error reports."""
from __future__ import annotations

import hashlib

import pytest

from checker.errors import CheckerError, OcrTimeoutError, UnsupportedMediaError
from checker.pipeline import check_image, check_text, run_image
from tests.render import render_label, to_bytes
from tests.sample_labels import DE_PASS, DE_PASS_EXPECTED, NL_PASS, NL_PASS_EXPECTED

STAGES = {"prepare", "barcode", "ocr", "parse", "rules", "report"}


@pytest.mark.tesseract
def test_check_image_runs_every_stage() -> None:
    img = render_label(NL_PASS)
    data = to_bytes(img, "PNG")
    report = check_image(data, "nl.png")
    assert report["verdict"] == NL_PASS_EXPECTED["verdict"], report["findings"]
    assert report["input"] == {"filename": "nl.png", "sha256": hashlib.sha256(data).hexdigest(),
                               "media_type": "image/png", "width": img.width, "height": img.height}
    assert set(report["timings"]) == STAGES and all(t >= 0 for t in report["timings"].values())
    assert report["timings"]["ocr"] > 0 and report["ocr"]["text"]
    assert "Butyra" in report["ocr"]["text"]


def test_check_text_skips_ocr() -> None:
    report = check_text(DE_PASS, "de.txt")
    assert report["verdict"] == DE_PASS_EXPECTED["verdict"], report["findings"]
    assert report["language"] == "de"
    assert report["input"]["sha256"] == hashlib.sha256(DE_PASS.encode()).hexdigest()
    assert report["ocr"] is None and set(report["timings"]) == {"parse", "rules", "report"}


@pytest.mark.parametrize(("data", "code"), [
    (b"", "bad_input"),
    (b"GIF89a\x01\x00\x01\x00", "unsupported_media_type"),
    (b"just some text", "unsupported_media_type"),
])
def test_bad_images_become_error_reports(data: bytes, code: str) -> None:
    report = check_image(data, "x.jpg")
    assert report["verdict"] is None and report["error"]["code"] == code
    assert report["input"]["filename"] == "x.jpg" and set(report["timings"]) == {"prepare"}


def test_an_ocr_failure_keeps_what_was_known_of_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    def timeout(*_args: object, **_kwargs: object) -> None:
        raise OcrTimeoutError("too slow")

    monkeypatch.setattr("checker.ocr.ocr_image", timeout)
    data = to_bytes(render_label(NL_PASS, width=600), "PNG")
    report = check_image(data, "slow.png")
    assert report["error"] == {"code": "ocr_timeout", "message": "too slow"}
    assert report["input"]["sha256"] == hashlib.sha256(data).hexdigest() and report["input"]["width"] == 600
    assert set(report["timings"]) == {"prepare", "barcode", "ocr"}


def test_run_image_raises_for_the_web_layer() -> None:
    with pytest.raises(UnsupportedMediaError) as info:
        run_image(b"not an image at all", "a.png")
    assert isinstance(info.value, CheckerError) and info.value.http_status == 415
