"""Property-based tests: the parser, rules and report never crash and keep their invariants on any text."""
from __future__ import annotations

import json
import math
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from checker import report as reporting
from checker import rules
from checker.models import OcrLine, OcrResult, OcrWord
from checker.parsing import parse_label
from checker.reference import default_reference

REF = default_reference()
VERDICTS = {"pass", "review", "fail", "unreadable"}
SEVERITIES = {"error", "warning", "info"}
# the public rule catalog (spec/rules.md) ...
CATALOG = {
    "ocr.unreadable", "active.none", "active.form-unspecified", "dose.missing", "dose.low", "dose.high",
    "dose.sodium", "postbiotic.live-organisms", "postbiotic.inactivation-missing",
    "postbiotic.strain-missing", "postbiotic.quantity-missing", "additive.banned-eu",
    "additive.azo-colour", "additive.sweetener", "allergen.present", "label.ingredients-missing",
    "label.daily-dose-missing", "label.overdose-warning-missing", "label.diet-statement-missing",
    "label.children-warning-missing", "label.net-quantity-missing", "label.best-before-missing",
    "label.lot-missing", "label.operator-missing", "label.storage-missing",
    "quality.independent-testing-missing", "claim.disease",
}
# ... and the two documented extras: an error whose trigger words OCR read with doubt
EXTRAS = {"additive.banned-eu-unconfirmed", "claim.disease-unconfirmed"}
ACTIVE_AMOUNTS = ("per_unit_mg", "per_day_mg_min", "per_day_mg_max", "butyric_acid_mg_per_day_max",
                  "sodium_mg_per_day_max", "declared_butyric_acid_mg")
SERVING_NUMBERS = ("units_per_serving", "servings_per_day_min", "servings_per_day_max",
                   "units_per_day_min", "units_per_day_max")
# CHECKER_FUZZ_EXAMPLES=5000 explores further (random seeds) than the fixed, repeatable default run
EXAMPLES = int(os.environ.get("CHECKER_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=EXAMPLES or 120, deadline=None, derandomize=not EXAMPLES,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# one label must never take longer than this to parse, judge and report (a long label takes ~0.1 s)

# label vocabulary in the four languages, with the words the parser keys on
WORDS = [
    "Ingredients:", "Ingrediënten:", "Zutaten:", "Ingrédients :", "sodium butyrate", "natriumbutyraat",
    "Natriumbutyrat", "butyrate de sodium", "calcium butyrate", "tributyrin", "butyrate", "butyric acid",
    "waarvan boterzuur", "davon Buttersäure", "dont acide butyrique", "Lactobacillus plantarum L-137",
    "heat-killed", "hitte-geïnactiveerd", "live cultures", "Bifidobacterium lactis BB-12", "postbiotic",
    "capsule", "capsules", "Kapseln", "gélules", "tablet", "sachet", "scoop", "per day", "per dag",
    "pro Tag", "par jour", "daily", "twice", "1 to 2", "2-3", "Take", "Neem", "Einnehmen",
    "serving size", "portie", "mg", "g", "µg", "mcg", "IU", "%", "CFU", "KVE", "UFC", "x 10^9",
    "10⁹", "billion", "miljard", "Milliarden", "milliards", "E171", "titanium dioxide", "E102",
    "sucralose", "sorbitol", "magnesium stearate", "anti-caking agent", "milk", "soy", "gluten",
    "may contain traces of", "kan sporen bevatten van", "Do not exceed", "Keep out of reach of children",
    "not a substitute for a varied diet", "Best before", "THT", "Lot", "L24-0917", "60 capsules",
    "Netto-inhoud", "℮ 60 g", "Store in a cool dry place", "GmbH", "B.V.", "Hoofdstraat 12",
    "1234 AB Amsterdam", "cures IBS", "geneest eczeem", "soulage le psoriasis", "NSF certified",
    "ISO 17025", "GMP", "(", ")", "[", "]", ",", ";", ":", ".", "·", "|", "\n", "\n\n", "\t", " - ",
]
NUMBER_TEXTS = st.one_of(
    st.integers(min_value=-10**6, max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: f"{x:,.3f}"),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: f"{x:.2f}".replace(".", ",")),
    st.sampled_from(["1e308", "1E308", "1e-308", "9" * 400, "0", "00000", "1.000.000,5", "1,200.50",
                     "½", "¼", "٣٠٠", "𝟙𝟚", "10^99", "10^999", "1 200", "1'200", "inf", "nan", "−600"]),
)
TOKENS = st.one_of(st.sampled_from(WORDS), NUMBER_TEXTS, st.text(max_size=12))
LABEL_TEXT = st.lists(TOKENS, max_size=120).map(" ".join)
# a short fragment repeated into one huge line: "mg" storms, nested brackets, digit runs...
STORM_UNITS = ["mg ", "mg", "(", ")", "((", "1", "9", "1.", "1,", "a", "A", " ", "\n", "x 10^", "E",
               "%", "per day ", "capsule ", "sodium butyrate ", ".", "-", "1-", "L", "ß", "\u200b", "\x00"]
STORMS = st.tuples(st.sampled_from(STORM_UNITS), st.integers(min_value=1, max_value=1500)).map(
    lambda pair: pair[0] * pair[1])
NESTED = st.integers(min_value=1, max_value=400).map(lambda n: "Ingredients: " + "sodium butyrate (" * n
                                                     + "600 mg" + ")" * n)


def _finite_non_negative(value: Any, where: str) -> None:
    if value is None:
        return
    assert isinstance(value, int | float) and not isinstance(value, bool), (where, value)
    assert math.isfinite(value) and value >= 0, (where, value)


def _expected_verdict(findings: list[dict[str, Any]]) -> str:
    severities = {f["severity"] for f in findings}
    if any(f["rule"] == "ocr.unreadable" for f in findings):
        return "unreadable"
    return "fail" if "error" in severities else "review" if "warning" in severities else "pass"


def _check_label(text: str, ocr: OcrResult | None = None) -> dict[str, Any]:
    """Run parse -> rules -> report on `text` and assert every invariant; return the report."""
    label = parse_label(text, REF)
    assert label.text == text
    for n, ing in enumerate(label.ingredients):
        if ing.span is not None:
            start, end = ing.span
            assert 0 <= start <= end <= len(text), (ing.span, len(text))
        assert ing.parent is None or 0 <= ing.parent < n, ing.parent
    findings = rules.evaluate(label, REF, ocr=ocr)
    for f in findings:
        assert f.rule in CATALOG | EXTRAS, f.rule
        assert f.severity in SEVERITIES and f.severity == rules.SEVERITY[f.rule]
        assert f.message.strip()
    report = reporting.build_report(label, findings, REF, input={"filename": "fuzz"}, ocr=ocr)
    _check_report(report, findings, ocr)
    assert reporting.to_text(report)
    return report


def _check_report(report: dict[str, Any], findings: list, ocr: OcrResult | None) -> None:
    json.dumps(report, allow_nan=False)  # raises on NaN/inf and on anything not JSON
    assert report["verdict"] in VERDICTS
    assert report["verdict"] == _expected_verdict(report["findings"])
    assert [f["rule"] for f in report["findings"]] == [f.rule for f in findings]
    for active in report["actives"]:
        for key in ACTIVE_AMOUNTS:
            _finite_non_negative(active[key], key)
        if active["per_day_mg_min"] is not None and active["per_day_mg_max"] is not None:
            assert active["per_day_mg_min"] <= active["per_day_mg_max"], active
        if active["count"] is not None:
            _finite_non_negative(active["count"]["value"], "count")
            _finite_non_negative(active["count"]["value_max"], "count max")
    for ing in report["ingredients"]:
        _finite_non_negative(ing["amount"], "ingredient amount")
        _check_bbox(ing["bbox"], ocr)
    for key in SERVING_NUMBERS:
        _finite_non_negative(report["serving"][key], key)
    for lo, hi in (("servings_per_day_min", "servings_per_day_max"),
                   ("units_per_day_min", "units_per_day_max")):
        if report["serving"][lo] is not None and report["serving"][hi] is not None:
            assert report["serving"][lo] <= report["serving"][hi], report["serving"]
    for finding in report["findings"]:
        _check_bbox(finding.get("bbox"), ocr)


def _check_bbox(bbox: list[int] | None, ocr: OcrResult | None) -> None:
    if ocr is None or not ocr.words:
        assert bbox is None
        return
    if bbox is not None:
        assert len(bbox) == 4 and all(isinstance(v, int) and v >= 0 for v in bbox), bbox


def _fake_ocr(text: str, confidences: list[float]) -> OcrResult:
    """An OcrResult whose words are the whitespace-separated words of `text`, one line each 20 px."""
    words: list[OcrWord] = []
    lines: list[OcrLine] = []
    pos = 0
    for n, word in enumerate(text.split()):
        start = text.index(word, pos)
        pos = start + len(word)
        conf = confidences[n % len(confidences)] if confidences else 90.0
        box = (10 * (n % 40), 20 * (n // 40), 8 * len(word), 18)
        words.append(OcrWord(word, conf, box, len(lines), start, pos))
        lines.append(OcrLine(word, start, pos, box, conf))
    mean = sum(w.confidence for w in words) / len(words) if words else 0.0
    return OcrResult(text=text, words=tuple(words), mean_confidence=mean, languages="eng+nld+deu+fra",
                     engine="tesseract 5.3.0", seconds=0.1, lines=tuple(lines))


@FUZZ
@given(st.text(max_size=800))
@example("")
@example("\x00\ud7ff\U0010ffff")
@example("Ingredients: sodium butyrate 1e308 g. Take 1e308 capsules per day.")
def test_arbitrary_unicode_text(text: str):
    _check_label(text)


@FUZZ
@given(LABEL_TEXT)
@example("Ingredients: sodium butyrate " + "9" * 400 + " g per capsule. Take 3 capsules per day.")
@example("sodium butyrate 1-" + "9" * 400 + " mg per day")
@example("Lactobacillus plantarum L-137 heat-killed " + "9" * 400 + " CFU per capsule")
@example("Take " + "9" * 29 + " capsules " + "9" * 29 + " times per day. sodium butyrate "
         + "9" * 29 + " g per capsule")
@example("Take -2 capsules per day. sodium butyrate -600 mg per capsule")
@example("Ingrédients : butyrate de sodium 600 mg (soit 480 mg d'acide butyrique) · 2 gélules par jour")
def test_label_like_text(text: str):
    _check_label(text)


@FUZZ
@given(st.lists(st.one_of(STORMS, NESTED, LABEL_TEXT), min_size=1, max_size=3).map("\n".join))
@example("mg " * 1500)
@example("(" * 1500 + ")" * 1500)
@example("1" * 1500)
@example("a" * 3000)
def test_huge_lines_and_storms(text: str):
    _check_label(text)


@FUZZ
@given(LABEL_TEXT, st.lists(st.floats(min_value=-1, max_value=100, allow_nan=False), max_size=8))
def test_with_ocr_words_and_confidences(text: str, confidences: list[float]):
    ocr = _fake_ocr(text, confidences)
    report = _check_label(text, ocr)
    if report["verdict"] == "unreadable":
        assert [f["rule"] for f in report["findings"]] == ["ocr.unreadable"]


@pytest.mark.parametrize("text", [
    "1" * 2000,
    "a" * 4000,
    "a1" * 2000,
    "Hoofdstraat" * 300,
    "\n" * 4000,
    " " * 4000,
])
def test_long_single_token_stays_fast(text: str):
    """A label is a few thousand characters; a long garbage token must not make the parser crawl."""
    _check_label(text)
