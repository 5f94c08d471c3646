"""The report page's numbers and sentences: rounded for people, an em dash for 'unknown', never 0."""
from __future__ import annotations

import pytest

from checker.web.filters import mg_range, number, serving_text, verdict_title, when

DASH = "\u2014"


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (1200, "mg", "1200 mg"),
    (1200.0, "mg", "1200 mg"),
    (250.64, "mg", "251 mg"),
    (3.46, "mg", "3.5 mg"),
    (2, "", "2"),
    (0, "mg", "0 mg"),
    (None, "mg", DASH),
    (True, "mg", DASH),
    ("see base", "", "see base"),
])
def test_number(value: object, unit: str, expected: str) -> None:
    assert number(value, unit) == expected


@pytest.mark.parametrize(("low", "high", "expected"), [
    (1200, 1200, "1200 mg"),
    (600, 1200, "600\u20131200 mg"),
    (None, 900, "900 mg"),
    (None, None, DASH),
])
def test_mg_range(low: object, high: object, expected: str) -> None:
    assert mg_range(low, high) == expected


def make_serving(per_serving: float | None, unit: str, spd: tuple | None = None,
                 upd: tuple | None = None) -> dict:
    """A report's serving: spd = servings per day (min, max), upd = units per day (min, max)."""
    spd, upd = spd or (None, None), upd or (None, None)
    return {"units_per_serving": per_serving, "unit": unit, "servings_per_day_min": spd[0],
            "servings_per_day_max": spd[1], "units_per_day_min": upd[0], "units_per_day_max": upd[1]}


@pytest.mark.parametrize(("serving", "expected"), [
    (make_serving(2, "capsule", (1, 1), (2, 2)), "2 capsules per serving, 1 time a day (2 capsules a day)"),
    (make_serving(None, "softgel", None, (1, 2)), "1 to 2 softgels a day"),
    (make_serving(5, "g", (1, 2)), "5 g per serving, 1 to 2 times a day"),
    ({}, ""),
    (None, ""),
])
def test_serving_text(serving: object, expected: str) -> None:
    assert serving_text(serving) == expected


@pytest.mark.parametrize(("verdict", "expected"), [
    ("pass", "Pass"), ("review", "Needs review"), ("fail", "Fail"), ("unreadable", "Unreadable"),
    (None, "No verdict"),
])
def test_verdict_title(verdict: str | None, expected: str) -> None:
    assert verdict_title(verdict) == expected


def test_when_shows_utc_to_the_minute() -> None:
    assert when("2026-11-29T14:57:04+00:00") == "2026-11-29 14:57 UTC"
