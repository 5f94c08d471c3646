"""One check end to end: image -> OCR -> parse -> rules -> report dict, timing every stage."""
from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from checker import report as reporting
from checker import rules
from checker.config import Settings
from checker.errors import CheckerError, InputError
from checker.parsing import MAX_TEXT_CHARS, parse_label
from checker.reference import ReferenceData, default_reference

# imaging, OCR and barcode (OpenCV, numpy, Tesseract, zxing) are imported on the first image only:
# `python -m checker check --text` and the text pages never pay for them

STAGES = ("prepare", "barcode", "ocr", "parse", "rules", "report")
TEXT_MEDIA_TYPE = "text/plain"


OCR_CONCURRENCY_ENV = "CHECKER_OCR_CONCURRENCY"


def ocr_concurrency() -> int:
    """OCR runs at once in this process: CHECKER_OCR_CONCURRENCY, default one per core."""
    raw = os.environ.get(OCR_CONCURRENCY_ENV, "").strip()
    try:
        value = int(raw) if raw else 0
    except ValueError:
        value = 0
    return value if value > 0 else (os.cpu_count() or 1)


# Tesseract with OMP_THREAD_LIMIT=1 uses one core; more OCR at once than cores only slows each one down,
# while the web server's other threads (pages, reports, API reads) must not queue behind OCR
_OCR_SLOTS = threading.BoundedSemaphore(ocr_concurrency())


def set_ocr_concurrency(n: int) -> None:
    """Change the number of OCR slots (for tests and for servers configured after import)."""
    global _OCR_SLOTS
    _OCR_SLOTS = threading.BoundedSemaphore(max(1, n))


@contextmanager
def ocr_slot() -> Iterator[None]:
    """Hold one of the process's OCR slots (waits while all are taken)."""
    slots = _OCR_SLOTS
    with slots:
        yield


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


_warmed: set[int] = set()
_warm_lock = threading.Lock()


def warm_parser_during_ocr(ref: ReferenceData) -> None:
    """Compile the parser's patterns in a background thread, once per process and reference. Called as
    the first Tesseract run starts: this thread then only waits for Tesseract (a child process on one
    core), and the first parse takes milliseconds instead of a few tenths of a second."""
    from checker.parsing.warm_up import warm_up

    with _warm_lock:
        if id(ref) in _warmed:
            return
        _warmed.add(id(ref))
    threading.Thread(target=warm_up, args=(ref,), name="parser-warm-up", daemon=True).start()


def _image_report(run: _Run, data: bytes, filename: str, settings: Settings | None,
                  ref: ReferenceData | None) -> dict[str, Any]:
    from checker import barcode, imaging, ocr

    settings = settings or Settings.from_env()
    ref = ref or default_reference()
    with run.stage("prepare"):
        loaded = imaging.load_image(data, filename, max_pixels=settings.max_pixels)
    run.input = {"filename": filename, "sha256": loaded.sha256, "media_type": loaded.media_type,
                 "width": loaded.width, "height": loaded.height}
    with run.stage("barcode"):
        gtin = barcode.read_gtin(loaded.image)
    with ocr_slot(), run.stage("ocr"):  # the wait for a slot is not OCR time
        result = ocr.ocr_image(loaded, languages=settings.ocr_languages, timeout=settings.ocr_timeout,
                               while_reading=lambda: warm_parser_during_ocr(ref))
    if len(result.text) > MAX_TEXT_CHARS:
        raise InputError(f"The photo holds {len(result.text):,} characters of text; one label has at most "
                         f"{MAX_TEXT_CHARS:,}. Photograph one label at a time.", code="text_too_long")
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
