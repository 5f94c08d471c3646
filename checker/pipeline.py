"""One check end to end: image -> OCR -> parse -> rules -> report dict, timing every stage."""
from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from checker import barcode, imaging, ocr, rules
from checker import report as reporting
from checker.config import Settings
from checker.errors import CheckerError
from checker.parsing import parse_label
from checker.reference import ReferenceData, default_reference

STAGES = ("prepare", "barcode", "ocr", "parse", "rules", "report")
TEXT_MEDIA_TYPE = "text/plain"


class _Run:
    """Timings and input facts of one check, kept so a failure can still report them."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.input: dict[str, Any] | None = None

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - start, 4)


def check_image(data: bytes, filename: str, *, settings: Settings | None = None,
                ref: ReferenceData | None = None) -> dict[str, Any]:
    """Check one uploaded image; a CheckerError becomes a report-shaped error (never raised)."""
    run = _Run()
    try:
        return _image_report(run, data, filename, settings, ref)
    except CheckerError as e:
        return _error(run, filename, e)


def check_text(text: str, filename: str, *, settings: Settings | None = None,
               ref: ReferenceData | None = None) -> dict[str, Any]:
    """Check label text that needs no OCR; a CheckerError becomes a report-shaped error."""
    run = _Run()
    try:
        return _text_report(run, text, filename, ref)
    except CheckerError as e:
        return _error(run, filename, e)


def run_image(data: bytes, filename: str, *, settings: Settings | None = None,
              ref: ReferenceData | None = None) -> dict[str, Any]:
    """Like check_image() but raises the CheckerError (the web layer turns it into a status code)."""
    return _image_report(_Run(), data, filename, settings, ref)


def run_text(text: str, filename: str, *, settings: Settings | None = None,
             ref: ReferenceData | None = None) -> dict[str, Any]:
    """Like check_text() but raises the CheckerError."""
    return _text_report(_Run(), text, filename, ref)


def _image_report(run: _Run, data: bytes, filename: str, settings: Settings | None,
                  ref: ReferenceData | None) -> dict[str, Any]:
    settings = settings or Settings.from_env()
    ref = ref or default_reference()
    with run.stage("prepare"):
        loaded = imaging.load_image(data, filename, max_pixels=settings.max_pixels)
    run.input = {"filename": filename, "sha256": loaded.sha256, "media_type": loaded.media_type,
                 "width": loaded.width, "height": loaded.height}
    with run.stage("barcode"):
        gtin = barcode.read_gtin(loaded.image)
    with run.stage("ocr"):
        result = ocr.ocr_image(loaded, languages=settings.ocr_languages, timeout=settings.ocr_timeout)
    report = _analyse(run, result.text, ref, result)
    report["product"]["barcode"] = gtin
    return report


def _text_report(run: _Run, text: str, filename: str, ref: ReferenceData | None) -> dict[str, Any]:
    ref = ref or default_reference()
    run.input = {"filename": filename, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                 "media_type": TEXT_MEDIA_TYPE, "width": None, "height": None}
    return _analyse(run, text, ref, None)


def _analyse(run: _Run, text: str, ref: ReferenceData, result: Any) -> dict[str, Any]:
    with run.stage("parse"):
        label = parse_label(text, ref)
    with run.stage("rules"):
        findings = rules.evaluate(label, ref, ocr=result)
    with run.stage("report"):
        report = reporting.build_report(label, findings, ref, input=run.input, ocr=result)
    report["timings"] = run.timings
    return report


def _error(run: _Run, filename: str | None, error: CheckerError) -> dict[str, Any]:
    report = reporting.error_report(filename, error, input=run.input)
    report["timings"] = run.timings
    return report
