"""Turning recorded Tesseract TSV into text, word offsets and boxes; merging two passes (no Tesseract)."""
from __future__ import annotations

import pytest

from checker.ocr import parse_tsv, tsv_words

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def tsv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


# recorded from Tesseract 5.3 (eng+deu) on a rendered label, plus a second paragraph in block 2
LABEL = tsv(
    "1\t1\t0\t0\t0\t0\t0\t0\t700\t400\t-1\t",
    "2\t1\t1\t0\t0\t0\t61\t68\t305\t74\t-1\t",
    "3\t1\t1\t1\t0\t0\t61\t68\t305\t74\t-1\t",
    "4\t1\t1\t1\t1\t0\t62\t68\t156\t26\t-1\t",
    "5\t1\t1\t1\t1\t1\t62\t68\t156\t26\t92.203400\tZutaten",
    "4\t1\t1\t1\t2\t0\t61\t117\t305\t25\t-1\t",
    "5\t1\t1\t1\t2\t1\t61\t117\t199\t25\t91.745285\tCalciumbutyrat",
    "5\t1\t1\t1\t2\t2\t270\t118\t46\t19\t96.213341\t600",
    "5\t1\t1\t1\t2\t3\t328\t123\t38\t19\t96.896301\tmg",
    "2\t1\t2\t0\t0\t0\t62\t193\t283\t80\t-1\t",
    "3\t1\t2\t1\t0\t0\t62\t193\t283\t25\t-1\t",
    "4\t1\t2\t1\t1\t0\t62\t193\t283\t25\t-1\t",
    "5\t1\t2\t1\t1\t1\t62\t193\t121\t20\t96.389275\tHinweise:",
    "5\t1\t2\t1\t1\t2\t196\t193\t51\t20\t96.856354\tku\u0308hl",  # decomposed ü
    "5\t1\t2\t1\t1\t3\t259\t193\t86\t25\t96.649475\tlagern.",
    "3\t1\t2\t2\t0\t0\t62\t250\t200\t25\t-1\t",
    "4\t1\t2\t2\t1\t0\t62\t250\t200\t25\t-1\t",
    "5\t1\t2\t2\t1\t1\t62\t250\t60\t25\t-1\t\"",  # a lone quote read with no confidence
    "5\t1\t2\t2\t1\t2\t130\t250\t132\t25\t40.0\tLot",
    "5\t1\t2\t2\t1\t3\t270\t250\t10\t25\t95\t ",  # blank word rows are dropped
)
LABEL_TEXT = "Zutaten\nCalciumbutyrat 600 mg\n\nHinweise: kühl lagern.\n\n\" Lot"


def test_text_has_one_line_per_tesseract_line_and_blank_lines_between_paragraphs() -> None:
    parsed = parse_tsv(LABEL)
    assert parsed.text == LABEL_TEXT
    assert [line.text for line in parsed.lines] == ["Zutaten", "Calciumbutyrat 600 mg",
                                                    "Hinweise: kühl lagern.", "\" Lot"]


def test_word_offsets_and_line_indexes_point_back_into_the_text() -> None:
    parsed = parse_tsv(LABEL)
    assert len(parsed.words) == 9
    for word in parsed.words:
        assert parsed.text[word.start:word.end] == word.text
        line = parsed.lines[word.line]
        assert line.start <= word.start < word.end <= line.end
    for line in parsed.lines:
        assert parsed.text[line.start:line.end] == line.text


@pytest.mark.parametrize(("scale", "box"), [
    (1.0, (270, 118, 46, 19)),
    (2.0, (135, 59, 23, 10)),
    (0.5, (540, 236, 92, 38)),
])
def test_boxes_are_divided_by_the_preparation_scale(scale: float, box: tuple[int, int, int, int]) -> None:
    words = {w.text: w for w in parse_tsv(LABEL, scale=scale).words}
    assert words["600"].bbox == box


def test_line_boxes_enclose_their_words() -> None:
    line = parse_tsv(LABEL).lines[1]
    assert line.bbox == (61, 117, 305, 25)
    assert (line.block, line.paragraph) == (1, 1)


def test_confidence_minus_one_is_kept_in_text_but_left_out_of_the_mean() -> None:
    parsed = parse_tsv(LABEL)
    quote = next(w for w in parsed.words if w.text == '"')
    assert quote.confidence == -1
    scored = [w.confidence for w in parsed.words if w.text != '"']
    assert parsed.mean_confidence == pytest.approx(sum(scored) / len(scored), abs=0.01)
    assert parsed.lines[3].confidence == 40.0


@pytest.mark.parametrize("raw", [
    "",
    HEADER + "\n",
    tsv("1\t1\t0\t0\t0\t0\t0\t0\t700\t400\t-1\t"),
    tsv("1\t1\t0\t0\t0\t0\t0\t0\t700\t400\t-1\t", "5\t1\t1\t1\t1\t1\t10\t10\t600\t300\t95.0\t   "),
])
def test_an_empty_page_gives_no_text_and_zero_confidence(raw: str) -> None:
    parsed = parse_tsv(raw)
    assert (parsed.text, parsed.words, parsed.lines, parsed.mean_confidence) == ("", (), (), 0.0)


def test_pytesseract_dict_output_parses_like_the_string() -> None:
    rows = [line.split("\t") for line in LABEL.splitlines()]
    columns = {name: [row[i] if i < len(row) else "" for row in rows[1:]] for i, name in enumerate(rows[0])}
    columns["conf"] = [float(c) for c in columns["conf"]]  # DICT holds numbers, not strings
    assert parse_tsv(columns) == parse_tsv(LABEL)


def test_tsv_words_keep_reading_order_and_skip_blank_rows() -> None:
    words = tsv_words(LABEL)
    assert [w.text for w in words][:4] == ["Zutaten", "Calciumbutyrat", "600", "mg"]
    assert all(w.text.strip() for w in words)
