"""The parser warm-up that runs beside the first OCR pass of a process."""
from __future__ import annotations

import threading

import pytest

from checker import pipeline
from checker.parsing import parse_label
from checker.parsing import warm_up as warm_up_module
from checker.reference import default_reference


def test_the_warm_up_sample_takes_every_branch_of_the_parser() -> None:
    # a sample the parser did not recognise would compile little, and the first real label would pay
    label = parse_label(warm_up_module.SAMPLE, default_reference())
    assert {"sodium-butyrate"} <= {a.id for a in label.actives}
    assert any(a.amount is not None for a in label.actives)
    assert {i.e_number for i in label.ingredients} >= {"E470b", "E110"}
    found = {key for key, p in label.particulars.items() if p.present}
    assert {"ingredients", "children_warning", "storage", "best_before"} <= found
    assert label.claims


def test_the_parser_is_warmed_once_per_reference_in_the_background(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    done = threading.Event()

    def record(ref: object) -> None:
        calls.append(ref)
        done.set()

    monkeypatch.setattr(warm_up_module, "warm_up", record)
    monkeypatch.setattr(pipeline, "_warmed", set())
    ref = default_reference()
    pipeline.warm_parser_during_ocr(ref)
    pipeline.warm_parser_during_ocr(ref)
    assert done.wait(5)
    assert calls == [ref]


def test_a_failing_warm_up_is_logged_not_raised(monkeypatch: pytest.MonkeyPatch,
                                                caplog: pytest.LogCaptureFixture) -> None:
    def broken(text: str, ref: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(warm_up_module, "parse_label", broken)
    warm_up_module.warm_up(default_reference())
    assert "parser warm-up failed" in caplog.text
