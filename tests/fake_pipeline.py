"""A stand-in for pipeline.run_image in job and batch tests: no OCR, counts calls per file."""
from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from checker import jobs
from checker.errors import OcrTimeoutError, UnsupportedMediaError


def fake_report(data: bytes, filename: str, **_: object) -> dict:
    """What run_image returns, without OCR: the tests here are about jobs, not about reading labels."""
    if data.startswith(b"bad"):
        raise UnsupportedMediaError("This is not a photo.")
    if data.startswith(b"slow"):
        raise OcrTimeoutError("Reading the photo took too long.")
    if data.startswith(b"bug"):
        raise RuntimeError("secret detail")
    return {"schema": "label-check/1", "id": None, "input": {"filename": filename, "sha256": None},
            "verdict": "pass", "findings": [], "versions": {}}


class CountingPipeline:
    """fake_report that counts calls per file and can be slowed down."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, data: bytes, filename: str, **kwargs: object) -> dict:
        with self.lock:
            self.calls[filename] += 1
        time.sleep(self.delay)
        return fake_report(data, filename, **kwargs)


@pytest.fixture
def pipeline(monkeypatch: pytest.MonkeyPatch) -> CountingPipeline:
    """jobs.run_image replaced by a CountingPipeline (a plugin of tests/conftest.py)."""
    fake = CountingPipeline()
    monkeypatch.setattr(jobs, "run_image", fake)
    return fake
