"""Right-hand table cells read again: which cells, how the variants vote, where the amount goes."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from checker.imaging import geometry
from checker.ocr import build_text
from checker.ocr import cells as ocr_cells
from checker.ocr.cells import Cell, Sheet, apply, find_cells, vote
from checker.ocr.layout import TsvWord

WHITE = np.full((400, 1200), 255, dtype=np.uint8)
NO_INK = np.zeros((0, 4))


def blobs(view: np.ndarray) -> np.ndarray:
    """The ink blobs of a view, as the preparation records them (PreparedImage.view_blobs)."""
    return geometry.text_blobs(geometry.ink_mask(view))


def word(text: str, left: int, top: int = 100, width: int | None = None, confidence: float = 95.0,
         line: int = 1) -> TsvWord:
    return TsvWord(text, confidence, left, top, width or 18 * len(text), 30, (1, 1, line, 1))


def table(last: TsvWord) -> list[TsvWord]:
    """A heading line across the text, and a row name with `last` as its right-hand cell."""
    return [word("Zutaten:", 100, 40, line=0), word("Natriumbutyrat,", 260, 40, line=0),
            word("Maltodextrin.", 700, 40, 400, line=0), word("Natriumbutyrat", 100), last]


@pytest.mark.parametrize(("last", "expected"), [
    (word("Bm", 1000, confidence=40), [("Bm",)]),  # "25 mg" read as "Bm"
    (word("som", 1000, confidence=55), [("som",)]),  # "500 mg" read as "som"
    (word("“0m", 1000, confidence=30), [("“0m",)]),
    (word("25", 1000, confidence=90), []),  # read sure: left alone
    (word("500mg", 1000, confidence=60), []),  # already an amount
    (word("Kapseln", 1000, confidence=40), []),  # not shaped like an amount
    (word("Bm", 400, confidence=40), []),  # right beside its row name, not in a cell apart
])
def test_a_short_unsure_amount_like_word_apart_at_a_line_end_is_read_again(last: TsvWord,
                                                                           expected: list) -> None:
    assert [tuple(w.text for w in c.replaces) for c in find_cells(table(last), NO_INK)] == expected


def test_unread_ink_on_a_row_in_the_right_half_is_a_cell() -> None:
    view = WHITE.copy()
    for x in (1000, 1022, 1044, 1080, 1102):  # "500 mg" as five letter blobs no word covers
        view[102:126, x:x + 14] = 0
        view[108:120, x + 4:x + 10] = 255  # a counter: letters are not solid blots
    view[300:324, 200:214] = 0  # and one blob in the left half, part of nothing
    cells = find_cells(table(word("Kapseln", 500)), blobs(view))
    assert len(cells) == 1 and cells[0].replaces == ()
    x0, y0, x1, y1 = cells[0].box
    assert x0 <= 1000 and x1 >= 1116 and y0 <= 102 and y1 >= 126


def test_a_lone_unread_blob_is_no_cell() -> None:
    view = WHITE.copy()
    view[102:126, 1000:1014] = 0
    view[108:120, 1004:1010] = 255
    assert find_cells(table(word("Kapseln", 500)), blobs(view)) == []


def _sheet(cells: int, strips_per_cell: int) -> Sheet:
    owner = tuple(i for i in range(cells) for _ in range(strips_per_cell))
    return Sheet(Image.new("L", (10, 10)), tuple((100 * k, 100 * (k + 1)) for k in range(len(owner))), owner)


def _read(*strips: str) -> list[TsvWord]:
    """What Tesseract read on each strip of the sheet ("" : nothing)."""
    out = []
    for k, text in enumerate(strips):
        for n, part in enumerate(text.split()):
            out.append(TsvWord(part, 70.0, 10 + 60 * n, 100 * k + 30, 50, 40, (1, 1, k, 1)))
    return out


@pytest.mark.parametrize(("strips", "expected"), [
    (("25 mg", "Bm", "25 mg", "2S mg", "25mg", "23 mg"), ("25", "mg")),  # 4 of 6 (2S is 25)
    (("S00 mg", "500 mg", "— $00mg", "0g", "", "Som"), ("500", "mg")),  # S and $ for 5; a rule's dash
    (("25 mg", "25 mg", "23 mg", "23 mg", "", ""), None),  # two against two
    (("25 mg", "25 mg", "", "", "", ""), None),  # too few agree
    (("Som", "som", "Som", "", "", ""), None),  # no digit read at all
])
def test_an_amount_most_variants_agree_on_wins(strips: tuple[str, ...], expected: tuple | None) -> None:
    won = vote([Cell((0, 0, 1, 1), 30.0)], _sheet(1, 6), _read(*strips))
    assert (won[0][:2] if won else None) == expected


def test_the_votes_of_each_cell_are_counted_apart() -> None:
    strips = ("25 mg",) * 3 + ("",) * 3 + ("500 mg",) * 3 + ("",) * 3
    won = vote([Cell((0, 0, 1, 1), 30.0), Cell((0, 0, 1, 1), 30.0)], _sheet(2, 6), _read(*strips))
    assert {i: w[:2] for i, w in won.items()} == {0: ("25", "mg"), 1: ("500", "mg")}


def test_the_amount_takes_the_place_of_the_misread_word_on_its_row() -> None:
    words = table(word("Bm", 1000, confidence=40))
    cells = find_cells(words, NO_INK)
    fixed = apply(words, cells, {0: ("25", "mg", 80.0)})
    assert build_text(fixed).text.splitlines()[-1] == "Natriumbutyrat 25 mg"


def test_an_amount_on_unread_ink_joins_the_row_it_stands_on() -> None:
    words = table(word("Kapseln", 500))[:-1]
    cells = [Cell((1000, 100, 1116, 128), 30.0)]
    fixed = apply(words, cells, {0: ("500", "mg", 80.0)})
    assert build_text(fixed).text.splitlines()[-1] == "Natriumbutyrat 500 mg"


def test_nothing_agreed_leaves_the_words_as_they_were() -> None:
    words = table(word("Bm", 1000, confidence=40))
    assert apply(words, find_cells(words, NO_INK), {}) == words


def test_the_sheet_holds_every_variant_of_every_cell() -> None:
    view = WHITE.copy()
    view[102:126, 1000:1060] = 0
    cells = [Cell((1000, 100, 1060, 128), 30.0), Cell((900, 200, 960, 228), 30.0)]
    sheet = ocr_cells.build_sheet(view, cells)
    variants = len(ocr_cells.STRETCHES) * 2
    assert sheet.owner == (0,) * variants + (1,) * variants
    assert sheet.rows[-1][1] == sheet.image.height
    assert all(b > a for a, b in sheet.rows)
