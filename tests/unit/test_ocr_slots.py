"""The process-wide OCR semaphore: never more OCR runs at once than CHECKER_OCR_CONCURRENCY."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PIL import Image

from checker import ocr, pipeline
from checker.models import OcrResult
from tests.render import to_bytes

LABEL_TEXT = "Ingredients: sodium butyrate 600 mg, rice flour. Take 2 capsules per day."


@pytest.fixture
def two_slots() -> Iterator[None]:
    pipeline.set_ocr_concurrency(2)
    yield
    pipeline.set_ocr_concurrency(pipeline.ocr_concurrency())


@pytest.mark.parametrize("callers", [3, 6])
def test_concurrent_checks_never_run_more_ocr_than_the_slots(two_slots: None, callers: int,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    changed = threading.Condition()
    state = {"now": 0, "max": 0}
    gate = threading.Event()  # OCR calls hold their slot until the test opens the gate

    def fake_ocr(*args: object, **kwargs: object) -> OcrResult:
        with changed:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            changed.notify_all()
        gate.wait(timeout=30)
        with changed:
            state["now"] -= 1
        return OcrResult(text=LABEL_TEXT, words=(), mean_confidence=90.0, languages="eng",
                         engine="tesseract 5.3.0", seconds=0.0)

    monkeypatch.setattr(ocr, "ocr_image", fake_ocr)
    image = to_bytes(Image.new("RGB", (400, 300), "white"))
    reports: list[dict] = []
    threads = [threading.Thread(target=lambda: reports.append(pipeline.check_image(image, "label.png")))
               for _ in range(callers)]
    for t in threads:
        t.start()
    with changed:
        assert changed.wait_for(lambda: state["now"] >= 2, timeout=30)
    # the other callers are all started and would be inside OCR by now if nothing held them back
    time.sleep(0.3)
    gate.set()
    for t in threads:
        t.join(timeout=60)
    assert len(reports) == callers and all(r.get("error") is None for r in reports), reports
    assert state["max"] == 2


@pytest.mark.parametrize("raw, expected", [("3", 3), ("1", 1), ("0", None), ("-2", None), ("many", None),
                                           ("", None)])
def test_ocr_concurrency_setting(raw: str, expected: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pipeline.OCR_CONCURRENCY_ENV, raw)
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert pipeline.ocr_concurrency() == (expected or 4)
