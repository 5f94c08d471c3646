"""The JSON report follows spec/report.md: keys, types, nulls for unknowns, boxes from OCR spans."""
from __future__ import annotations

import json

import pytest
from rules_ref import all_particulars, butyrate, good_label, mg, microbe, small_reference

import checker
from checker import report, rules
from checker.errors import OcrTimeoutError, ReferenceDataError, UnsupportedMediaError
from checker.models import Amount, Finding, Ingredient, OcrResult, OcrWord, Particular, Serving

REF = small_reference()
TOP_KEYS = {"schema", "id", "input", "verdict", "language", "ocr", "serving", "ingredients", "actives",
            "allergens", "traces", "particulars", "findings", "versions"}
INGREDIENT_KEYS = {"text", "name", "id", "kind", "e_number", "function", "allergens", "amount", "bbox"}
ACTIVE_KEYS = {"id", "name", "per_unit_mg", "per_day_mg_min", "per_day_mg_max", "butyric_acid_mg_per_day_max",
               "sodium_mg_per_day_max", "species", "strain", "state"}
NUMBER = (int, float)


def build(label=None, findings=None, **kw) -> dict:
    label = label or good_label()
    findings = rules.evaluate(label, REF) if findings is None else findings
    return report.build_report(label, findings, REF, **kw)


def ocr_of(lines: list[list[tuple[str, tuple[int, int, int, int]]]]) -> OcrResult:
    """OCR text and words from lines of (word, bbox); words are separated by spaces, lines by newlines."""
    text, words = "", []
    for n, line in enumerate(lines):
        for i, (word, box) in enumerate(line):
            if i:
                text += " "
            words.append(OcrWord(word, 90.0, box, n, len(text), len(text) + len(word)))
            text += word
        text += "\n"
    return OcrResult(text=text, words=tuple(words), mean_confidence=90.0, languages="nld+eng",
                     engine="tesseract 5.3.0", seconds=1.234, passes=("gray", "binary"))


OCR = ocr_of([
    [("Ingrediënten:", (10, 10, 120, 20)), ("natriumbutyraat", (140, 10, 150, 20)),
     ("(64", (300, 10, 30, 20)),
     ("%),", (335, 10, 25, 20))],
    [("vulstof:", (10, 40, 70, 20)), ("microkristallijne", (90, 40, 160, 22)),
     ("cellulose.", (10, 70, 90, 20))],
])


def span_of(text: str, piece: str) -> tuple[int, int]:
    start = OCR.text.index(piece)
    return start, start + len(piece)


def test_contract_keys_and_types():
    label = good_label(
        ingredients=[Ingredient("Natriumbutyraat (64 %)", "sodium butyrate", kind="active",
                                id="sodium-butyrate",
                                amount=Amount(64, "%", "64 %")),
                     Ingredient("antiklontermiddel: magnesiumstearaat", "magnesium stearate", kind="additive",
                                id="E470b", e_number="E470b", function="anti-caking agent"),
                     Ingredient("lactose", "lactose", allergens=["milk"])],
        actives=[butyrate("sodium-butyrate", 600, name="Natriumbutyraat"),
                 microbe("inactivated", strain="VT-52", amount=50,
                         count=Amount(10e9, "cells", "10 milliards de cellules"))],
        serving=Serving(units_per_serving=1, unit="capsule", units_per_day_min=2, units_per_day_max=2),
        traces=["nuts", "nuts"], language="nl")
    rep = build(label, input={"filename": "h01.jpg", "sha256": "ab", "media_type": "image/jpeg",
                              "width": 1600, "height": 1200}, ocr=OCR, check_id="c1")
    assert TOP_KEYS <= set(rep)
    assert rep["schema"] == "label-check/1" and rep["id"] == "c1" and rep["language"] == "nl"
    assert rep["input"]["filename"] == "h01.jpg"
    assert rep["verdict"] in {"pass", "review", "fail", "unreadable"}
    assert rep["ocr"] == {"engine": "tesseract 5.3.0", "languages": "nld+eng", "mean_confidence": 90,
                          "seconds": 1.23, "text": OCR.text, "passes": ["gray", "binary"],
                          "words": [[w.text, list(w.bbox), w.start, w.end, w.line] for w in OCR.words]}
    serving_keys = {"units_per_serving", "unit", "servings_per_day_min", "servings_per_day_max"}
    assert serving_keys <= set(rep["serving"])
    for ing in rep["ingredients"]:
        assert INGREDIENT_KEYS <= set(ing)
        assert ing["kind"] in {"active", "microorganism", "additive", "nutrient", "other"}
        assert isinstance(ing["allergens"], list)
        assert ing["amount"] is None or isinstance(ing["amount"], NUMBER)
    quid, additive = rep["ingredients"][0], rep["ingredients"][1]
    assert quid["amount"] is None and quid["amount_text"] == "64 %"  # a QUID % is not an mg amount
    assert additive["e_number"] == "E470b" and additive["function"] == "anti-caking agent"
    salt, bug = rep["actives"]
    assert ACTIVE_KEYS <= set(salt) and ACTIVE_KEYS <= set(bug)
    assert (salt["per_unit_mg"], salt["per_day_mg_min"], salt["per_day_mg_max"]) == (600, 1200, 1200)
    assert salt["butyric_acid_mg_per_day_max"] == 960.4 and salt["sodium_mg_per_day_max"] == 250.6
    assert (salt["species"], salt["strain"], salt["state"]) == (None, None, None)
    assert (bug["id"], bug["state"], bug["strain"]) == ("microorganism", "inactivated", "VT-52")
    assert bug["per_day_mg_max"] == 100
    assert bug["butyric_acid_mg_per_day_max"] is None and bug["count"]["unit"] == "cells"
    assert rep["allergens"] == ["milk"] and rep["traces"] == ["nuts"]
    assert set(rep["particulars"]) == {"ingredients", "daily_dose", "overdose_warning", "diet_statement",
                                       "children_warning", "net_quantity", "best_before", "lot", "operator",
                                       "storage", "independent_testing"}
    for f in rep["findings"]:
        assert set(f) == {"rule", "severity", "message", "evidence", "bbox", "template", "params"}
        assert f["bbox"] is None  # no OCR words behind a text check
        assert f["severity"] in {"error", "warning", "info"} and f["message"]
    assert rep["product"]["barcode"] is None and isinstance(rep["product"]["name"], str)
    assert rep["versions"] == {"checker": checker.__version__, "reference": "test-1",
                               "rules": rules.RULES_VERSION}
    json.dumps(rep, allow_nan=False)


@pytest.mark.parametrize("piece, expected", [
    ("natriumbutyraat (64 %)", [140, 10, 220, 20]),              # words on one line
    ("natriumbutyraat", [140, 10, 150, 20]),                     # exactly one word
    ("microkristallijne cellulose", [10, 40, 240, 50]),         # wraps over two lines: the union
    ("butyraat", [140, 10, 150, 20]),                            # part of a word is that word
])
def test_ingredient_bbox_is_union_of_overlapping_ocr_words(piece, expected):
    ing = Ingredient(piece, piece, span=span_of(OCR.text, piece))
    rep = build(good_label(text=OCR.text, ingredients=[ing]), ocr=OCR)
    assert rep["ingredients"][0]["bbox"] == expected


def test_bbox_ends_are_half_open():
    start = OCR.text.index("vulstof:")
    # the span ends where "vulstof:" starts, and starts where "(64" ends: touches both, overlaps neither
    touching = Ingredient("x", "x", span=(OCR.text.index("(64") + 3, start))
    assert report.bbox_for(OCR, OCR.text, touching.span) == [335, 10, 25, 20]  # only "%)," overlaps


@pytest.mark.parametrize("ocr, span", [
    (None, (0, 5)),     # text input: no boxes
    (OCR, None),        # no span from the parser
    (OCR, (5, 5)),      # empty span
])
def test_bbox_null_when_unknown(ocr, span):
    rep = build(good_label(text=OCR.text, ingredients=[Ingredient("x", "x", span=span)]), ocr=ocr)
    assert rep["ingredients"][0]["bbox"] is None


def test_bbox_when_parser_text_differs_from_ocr_text():
    cleaned = "  " + OCR.text  # e.g. the parser read a re-spaced copy: find the same characters
    start = cleaned.index("cellulose.")
    ing = Ingredient("cellulose", "cellulose", span=(start, start + len("cellulose")))
    rep = build(good_label(text=cleaned, ingredients=[ing]), ocr=OCR)
    assert rep["ingredients"][0]["bbox"] == [10, 70, 90, 20]


def test_unknown_amounts_are_null_never_zero():
    label = good_label(actives=[butyrate("sodium-butyrate", None), microbe("unstated", amount=None)],
                       serving=Serving(), particulars=all_particulars(daily_dose=None))
    rep = build(label)
    for active in rep["actives"]:
        for key in ("per_unit_mg", "per_day_mg_min", "per_day_mg_max", "butyric_acid_mg_per_day_max",
                    "sodium_mg_per_day_max"):
            assert active[key] is None
    assert rep["actives"][1]["state"] == "unstated"
    assert all(v is None for k, v in rep["serving"].items() if k != "evidence")
    assert rep["ocr"] is None  # text input


@pytest.mark.parametrize("serving, expected", [
    # "Serving Size 2 Capsules", "take 2 capsules once daily": 1 serving a day, derived
    (Serving(units_per_serving=2, unit="capsule", units_per_day_min=2, units_per_day_max=2), (2, 1, 1, 2, 2)),
    (Serving(units_per_serving=2, unit="capsule", servings_per_day_min=1, servings_per_day_max=2),
     (2, 1, 2, 2, 4)),
    (Serving(unit="softgel", units_per_day_min=1, units_per_day_max=2), (None, None, None, 1, 2)),
])
def test_serving_block(serving, expected):
    s = build(good_label(serving=serving))["serving"]
    assert (s["units_per_serving"], s["servings_per_day_min"], s["servings_per_day_max"],
            s["units_per_day_min"], s["units_per_day_max"]) == expected


@pytest.mark.parametrize("particular, expected", [
    (None, False),
    (Particular(present=False), False),
    (Particular(present=True), True),
    (Particular(present=True, value="see base"), "see base"),
])
def test_particular_values(particular, expected):
    rep = build(good_label(particulars=all_particulars(lot=particular)))
    assert rep["particulars"]["lot"] == expected


def test_verdict_and_findings_come_from_the_findings_given():
    findings = [Finding("dose.sodium", "info", "Natriumbutyraat supplies about 251 mg sodium per day.",
                        "Natriumbutyraat 1200 mg"),
                Finding("label.lot-missing", "warning", "No lot.", None)]
    rep = build(findings=findings)
    assert rep["verdict"] == "review"
    assert rep["findings"][0] == {"rule": "dose.sodium", "severity": "info",
                                  "message": "Natriumbutyraat supplies about 251 mg sodium per day.",
                                  "evidence": "Natriumbutyraat 1200 mg", "bbox": None,
                                  "template": None, "params": {}}
    assert rep["findings"][1]["evidence"] is None


def test_declared_butyric_acid_is_reported_on_its_active():
    rep = build(good_label(actives=[butyrate("tributyrin", 450, declared_butyric_acid=mg(393))]))
    [active] = rep["actives"]
    assert active["declared_butyric_acid_mg"] == 393 and active["id"] == "tributyrin"


@pytest.mark.parametrize("error, code", [
    (UnsupportedMediaError("That file is not an image."), "unsupported_media_type"),
    (OcrTimeoutError("OCR took too long."), "ocr_timeout"),
    (ReferenceDataError("reference data is invalid"), "reference_data_invalid"),
])
def test_error_report_shape(error, code):
    rep = report.error_report("x.gif", error, input={"sha256": "ab"}, ref=REF)
    assert TOP_KEYS <= set(rep)
    assert rep["schema"] == "label-check/1" and rep["id"] is None and rep["verdict"] is None
    assert rep["input"] == {"filename": "x.gif", "sha256": "ab"}
    assert rep["error"] == {"code": code, "message": error.message}
    assert rep["findings"] == [] and rep["actives"] == [] and rep["ocr"] is None
    assert rep["versions"]["checker"] == checker.__version__ and rep["versions"]["reference"] == "test-1"
    json.dumps(rep, allow_nan=False)


def test_error_report_without_reference_data_still_has_versions():
    rep = report.error_report(None, ReferenceDataError("no reference data"))
    assert rep["input"] == {"filename": None}
    assert set(rep["versions"]) == {"checker", "reference", "rules"}
    assert "error" not in report.build_report(good_label(), [], REF)


def test_text_summary_names_verdict_doses_and_evidence():
    label = good_label(actives=[butyrate("sodium-butyrate", 600, name="Natriumbutyraat")],
                       serving=Serving(units_per_day_min=1, units_per_day_max=2),
                       ingredients=[Ingredient("zoetstof: sucralose", "sucralose", kind="additive",
                                               id="E955", e_number="E955")],
                       particulars=all_particulars(lot=None))
    text = report.to_text(build(label, input={"filename": "d.jpg"}))
    assert text.startswith("d.jpg: REVIEW")
    assert "Natriumbutyraat [sodium-butyrate]: 600-1200 mg/day" in text
    assert "960.4 mg butyric acid" in text and "250.6 mg sodium" in text
    assert "E955 sucralose" in text
    assert "Warnings:" in text and "[label.lot-missing]" in text
    assert 'evidence: "zoetstof: sucralose"' in text
    assert report.to_text(report.error_report("a.gif", UnsupportedMediaError("not an image"), ref=REF)) == \
        "a.gif: ERROR unsupported_media_type: not an image"


def test_finding_bbox_outlines_its_evidence_on_the_photo():
    findings = [Finding("additive.banned-eu", "error", "E171 is banned.", "Microkristallijne Cellulose"),
                Finding("label.lot-missing", "warning", "No lot.", None),
                Finding("claim.disease", "error", "Claim.", "words that are not on the label")]
    rep = build(good_label(text=OCR.text), findings=findings, ocr=OCR)
    boxes = [f["bbox"] for f in rep["findings"]]
    assert boxes == [[10, 40, 240, 50], None, None]  # case and accents ignored; missing evidence: no box


def test_product_name_is_the_first_line_with_words():
    text = "\n · \n Velora Butyraat Balans \nVoedingssupplement"
    assert report.product_name(text) == "Velora Butyraat Balans"
    assert report.product_name("12\n--") is None
