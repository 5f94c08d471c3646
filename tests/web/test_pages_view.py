"""What the report page draws: evidence found on the label text and photo, per-line boxes, marked text,
finding texts and explanations in the page's language, product groups and comparison figures."""
from __future__ import annotations

import pytest

from checker import messages, rules
from checker.web.report_view import (
    Box,
    Segment,
    Word,
    boxes_for,
    build,
    evidence_pieces,
    group_by_product,
    locate,
    ocr_words,
    segments,
    summary,
)

TEXT = "Ingrediënten: natriumbutyraat, kleurstof:\ntitaandioxide.\nLot: zie bodem"


def words_of(text: str, line_height: int = 30) -> list[Word]:
    """OCR words laid out as the text's lines: 20 px per character, one row per line."""
    out, offset = [], 0
    for n, line in enumerate(text.split("\n")):
        column = 0
        for token in line.split(" "):
            start = offset + column
            box = (20 * column, n * line_height, 20 * len(token), 24)
            out.append(Word(token, box, start, start + len(token), n))
            column += len(token) + 1
        offset += len(line) + 1
    return out


@pytest.mark.parametrize(("piece", "expected"), [
    ("natriumbutyraat", ["natriumbutyraat"]),
    ("INGREDIENTEN", ["Ingrediënten"]),  # case and accents do not matter
    ("kleurstof: titaandioxide", ["kleurstof:\ntitaandioxide"]),  # broken over two lines
    ("kleurstof:   titaandioxide", ["kleurstof:\ntitaandioxide"]),
    ("E171", []),
    ("", []),
])
def test_locate_finds_evidence_however_it_is_printed(piece: str, expected: list[str]) -> None:
    assert [TEXT[a:b] for a, b in locate(TEXT, piece)] == expected


def test_locate_marks_a_few_places_not_all() -> None:
    assert len(locate("E171 " * 10, "E171")) == 3


@pytest.mark.parametrize(("evidence", "pieces"), [
    ("kleurstof: titaandioxide", ["kleurstof: titaandioxide"]),
    ("postbiotic; 10 billion CFU", ["postbiotic", "10 billion CFU"]),
    ("a; bc; natrium", ["natrium"]),  # scraps too short to find safely are left out
    (None, []),
])
def test_evidence_pieces(evidence: str | None, pieces: list[str]) -> None:
    assert evidence_pieces(evidence) == pieces


def test_evidence_over_two_lines_gets_one_box_per_line() -> None:
    words = words_of(TEXT)
    boxes = boxes_for(words, locate(TEXT, "kleurstof: titaandioxide"))
    assert boxes == [Box(620, 0, 200, 24), Box(0, 30, 280, 24)]


def test_words_without_line_numbers_are_grouped_by_height() -> None:
    words = [Word(w.text, w.bbox, w.start, w.end) for w in words_of(TEXT)]
    assert len(boxes_for(words, locate(TEXT, "kleurstof: titaandioxide"))) == 2


@pytest.mark.parametrize("raw", [
    [{"text": "Lot:", "bbox": [0, 60, 80, 24], "start": 57, "end": 61, "line": 2}],
    [["Lot:", [0, 60, 80, 24], 57, 61, 2]],
    [["Lot:", [0, 60, 80, 24], 57, 61]],
])
def test_ocr_words_are_read_as_dicts_or_lists(raw: list) -> None:
    words = ocr_words({"ocr": {"text": TEXT, "words": raw}})
    assert [(w.text, w.bbox, w.start, w.end) for w in words] == [("Lot:", (0, 60, 80, 24), 57, 61)]


def test_damaged_ocr_words_are_skipped() -> None:
    assert ocr_words({"ocr": {"words": [{"text": "x"}, ["y", "not a box", 0, 1], None]}}) == []


def test_segments_mark_each_finding_where_its_evidence_is() -> None:
    marks = {"f1": [(4, 9)], "f2": [(6, 12)]}
    assert segments("abcdefghijklmn", marks) == [
        Segment("abcd"), Segment("ef", ("f1",)), Segment("ghi", ("f1", "f2")), Segment("jkl", ("f2",)),
        Segment("mn")]
    assert "".join(s.text for s in segments(TEXT, {})) == TEXT


def report_with(findings: list[dict], *, words: bool = True) -> dict:
    return {"ocr": {"text": TEXT, "words": [[w.text, list(w.bbox), w.start, w.end, w.line]
                                           for w in words_of(TEXT)] if words else []},
            "input": {"width": 1000, "height": 200}, "findings": findings,
            "ingredients": [{"text": "kleurstof:\ntitaandioxide", "name": "titanium dioxide",
                             "kind": "additive", "bbox": [0, 0, 820, 54]}]}


BANNED = {"rule": "additive.banned-eu", "severity": "error", "evidence": "kleurstof:\ntitaandioxide",
          "message": "titanium dioxide (E171) is not authorised in food in the EU."}
LOT = {"rule": "label.lot-missing", "severity": "warning", "evidence": None,
       "message": messages.template("label.lot-missing", "en")}


def test_build_ties_findings_to_boxes_and_marks() -> None:
    view = build(report_with([LOT, BANNED]), "en")
    assert [f.id for f in view.findings] == ["f1", "f2"]
    assert [sev for sev, _ in view.groups] == ["error", "warning"]  # most serious first
    banned = view.findings[1]
    assert len(banned.boxes) == 2 and banned.marked
    assert [s.text for s in view.segments if "f2" in s.findings] == ["kleurstof:\ntitaandioxide"]
    assert view.findings[0].boxes == [] and not view.findings[0].marked
    assert view.ingredient_boxes[0].kind == "additive"


def test_without_ocr_words_the_report_bbox_or_the_ingredient_box_is_used() -> None:
    view = build(report_with([{**BANNED, "bbox": [5, 6, 7, 8]}], words=False), "en")
    assert view.findings[0].boxes == [Box(5, 6, 7, 8)]
    view = build(report_with([BANNED], words=False), "en")
    assert view.findings[0].boxes == [Box(0, 0, 820, 54)]  # the ingredient it quotes


def test_a_revision_finds_its_evidence_on_the_original_photo() -> None:
    original = report_with([])
    revision = {"text": TEXT.replace("natriumbutyraat", "calciumbutyraat"), "findings": [BANNED],
                "ingredients": [{"text": "kleurstof:\ntitaandioxide", "kind": "additive", "bbox": None}]}
    view = build(revision, "en", photo=original)
    assert len(view.findings[0].boxes) == 2
    assert len(view.ingredient_boxes) == 2  # located in the original's OCR words, per line


@pytest.mark.parametrize(("finding", "lang", "text", "text_lang"), [
    (LOT, "nl", messages.template("label.lot-missing", "nl"), "nl"),  # no values: rendered afresh
    (LOT, "en", LOT["message"], "en"),
    (BANNED, "nl", BANNED["message"], "en"),  # values unknown: kept in English, marked as English
    ({**BANNED, "params": {"name": "titaandioxide", "e_number": "E171", "note": ""}}, "nl",
     "titaandioxide (E171) is in de EU niet toegestaan in levensmiddelen.", "nl"),
    ({**LOT, "message": "Some other wording"}, "nl", "Some other wording", "en"),  # not the template
])
def test_finding_messages_in_the_page_language(finding: dict, lang: str, text: str, text_lang: str) -> None:
    assert messages.localise(finding, lang) == (text, text_lang)


def test_every_rule_is_explained_in_english_and_dutch() -> None:
    for rule in rules.SEVERITY:
        for lang in ("en", "nl"):
            explanation = messages.explain(rule, lang)
            assert explanation and all(explanation), (rule, lang)
    assert messages.explain("label.lot-missing", "nl").law.startswith("Richtlijn 2011/91/EU")
    assert messages.explain("label.lot-missing", "fr") == messages.explain("label.lot-missing", "en")
    assert messages.explain("no.such-rule") is None


def test_history_groups_checks_of_the_same_barcode() -> None:
    rows = [{"id": "a", "barcode": "4006381333931"}, {"id": "b", "barcode": None},
            {"id": "c", "barcode": "4006381333931"}, {"id": "d", "barcode": "96385074"}]
    groups = group_by_product(rows)
    assert [(code, [r["id"] for r in members]) for code, members in groups] == [
        ("4006381333931", ["a", "c"]), (None, ["b"]), ("96385074", ["d"])]


def test_summary_adds_up_the_daily_figures() -> None:
    report = {"id": "x", "verdict": "review", "product": {"name": "Duo", "barcode": "96385074"},
              "actives": [{"name": "sodium butyrate", "butyric_acid_mg_per_day_max": 800,
                           "sodium_mg_per_day_max": 208.9},
                          {"name": "tributyrin", "butyric_acid_mg_per_day_max": 393.3,
                           "sodium_mg_per_day_max": None}],
              "ingredients": [{"kind": "additive", "e_number": "E551"}, {"kind": "active"}],
              "findings": [LOT, BANNED], "allergens": ["milk"]}
    s = summary(report, "en")
    assert (s["name"], s["barcode"], s["butyric_acid_mg_per_day"], s["sodium_mg_per_day"]) == (
        "Duo", "96385074", 1193.3, 208.9)
    assert [i["e_number"] for i in s["additives"]] == ["E551"]
    assert [f.severity for f in s["findings"]] == ["error", "warning"]
    unknown = summary({"actives": [{"butyric_acid_mg_per_day_max": None}]}, "en")
    assert unknown["butyric_acid_mg_per_day"] is None


def test_an_ingredient_printed_twice_is_outlined_where_the_report_found_it() -> None:
    text = "Met natriumbutyraat\nIngrediënten: natriumbutyraat, cellulose"
    report = {"ocr": {"text": text, "words": [[w.text, list(w.bbox), w.start, w.end, w.line]
                                             for w in words_of(text)]},
              "ingredients": [{"text": "natriumbutyraat", "kind": "active", "bbox": [270, 28, 330, 28]}],
              "findings": []}
    [box] = build(report, "en").ingredient_boxes
    assert box.box == Box(280, 30, 320, 24)  # in the ingredient list, not in the title above it


def test_a_revision_without_ocr_words_reuses_the_boxes_of_the_original() -> None:
    original = report_with([{**BANNED, "bbox": [1, 2, 3, 4]}], words=False)
    revision = {"text": TEXT, "findings": [BANNED],
                "ingredients": [{"text": "kleurstof:\ntitaandioxide", "kind": "additive", "bbox": None}]}
    view = build(revision, "en", photo=original)
    assert view.findings[0].boxes == [Box(1, 2, 3, 4)]
    assert [b.box for b in view.ingredient_boxes] == [Box(0, 0, 820, 54)]
