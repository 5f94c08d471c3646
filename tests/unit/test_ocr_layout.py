"""Pure repairs of Tesseract's layout: merging passes, table rows, split words, block order, missed text."""
from __future__ import annotations

from dataclasses import replace

import pytest

from checker.ocr import build_text
from checker.ocr import layout as ocr_layout
from checker.ocr.layout import (
    TsvWord,
    drop_specks,
    join_paragraphs,
    join_row_cells,
    join_split_words,
    join_table_rows,
    merge_words,
    missed_glyphs,
    page_slope,
    reading_order,
    replace_weak,
)


# ---------------------------------------------------------------- merging a second pass
def word(text: str, left: int, top: int, key: tuple[int, int, int, int], conf: float = 95.0,
         width: int = 0, height: int = 20, num: int = 1) -> TsvWord:
    return TsvWord(text, conf, left, top, width or 12 * len(text), height, key, num)


BASE = [word("Calciumbutyrat", 100, 600, (1, 8, 1, 1)),
        word("Magnesiumbutyrat", 100, 660, (1, 9, 1, 1)),
        word("Hinweise", 100, 900, (1, 10, 1, 1))]




def test_a_line_only_the_second_pass_read_follows_the_line_above_it_in_its_column() -> None:
    # reading order: the right-hand title block (low on the page) comes before the left column
    base = [word("60", 900, 700, (1, 1, 1, 1)), word("Kapseln", 950, 700, (1, 1, 1, 1), num=2),
            word("Zutaten", 100, 300, (1, 2, 1, 1)),
            word("Trennmittel:", 100, 600, (1, 3, 1, 1)),
            word("Magnesiumstearat,", 260, 600, (1, 3, 1, 1), num=2),
            word("Hinweise", 100, 900, (1, 4, 1, 1))]
    extra = [word("Siliciumdioxid.", 100, 640, (1, 1, 1, 1))]
    merged = merge_words(base, extra)
    text = build_text(merged).text
    assert text.index("Magnesiumstearat,") < text.index("Siliciumdioxid.") < text.index("Hinweise")
    # it continues the paragraph it ends, and stays in its block when blocks are put in reading order
    assert "Magnesiumstearat,\nSiliciumdioxid." in build_text(reading_order(merged)).text


def test_lines_added_by_two_merges_in_turn_are_all_kept() -> None:
    # a local-threshold pass adds a line under "Trennmittel:", then a sparse pass one under that line
    base = [word("Trennmittel:", 100, 600, (1, 3, 1, 1)), word("Hinweise", 100, 900, (1, 4, 1, 1))]
    once = merge_words(base, [word("Siliciumdioxid,", 100, 640, (1, 1, 1, 1))])
    twice = merge_words(once, [word("Talkum.", 100, 680, (1, 1, 1, 1))])
    assert build_text(twice).text.split() == ["Trennmittel:", "Siliciumdioxid,", "Talkum.", "Hinweise"]


def test_a_word_misread_in_glare_gives_way_to_a_surer_reading_of_it() -> None:
    base = [word("Mindestens", 100, 900, (1, 3, 1, 1)),
            word("hakbaı", 230, 900, (1, 3, 1, 1), conf=71.0, num=2),
            word("bis", 320, 900, (1, 3, 1, 1), num=3)]
    extra = [word("haltbar", 231, 901, (1, 1, 1, 1), conf=93.0),
             word("Lot", 100, 960, (1, 1, 1, 2), conf=50.0)]  # too unsure to add
    assert build_text(replace_weak(base, extra)).text == "Mindestens haltbar bis"


def test_one_word_read_over_two_does_not_replace_them() -> None:
    # read alone, neighbours run together ("enpartijnummer"): the two words of the first pass stay
    base = [word("en", 100, 900, (1, 3, 1, 1), conf=80.0), word("partijnummer", 130, 900, (1, 3, 1, 1),
                                                                 conf=80.0, num=2)]
    extra = [word("enpartijnummer", 100, 900, (1, 1, 1, 1), conf=95.0, width=175)]
    assert build_text(replace_weak(base, extra)).text == "en partijnummer"
    # nor does a less sure reading replace a word
    assert replace_weak(base, [word("eh", 100, 900, (1, 1, 1, 1), conf=60.0)]) == base

def test_words_read_only_by_the_second_pass_join_the_line_they_sit_on() -> None:
    extra = [word("Calciumbutyrat", 101, 598, (1, 1, 2, 6)),  # already read: overlaps, dropped
             word("600", 1400, 602, (1, 1, 2, 6), num=2), word("mg", 1460, 604, (1, 1, 2, 6), num=3),
             word("400", 1400, 661, (1, 1, 2, 7), num=2), word("mg", 1460, 662, (1, 1, 2, 7), num=3)]
    text = build_text(merge_words(BASE, extra)).text
    assert text == "Calciumbutyrat 600 mg\n\nMagnesiumbutyrat 400 mg\n\nHinweise"


def test_lines_only_the_second_pass_read_are_placed_by_height() -> None:
    extra = [word("Bewahren", 100, 780, (1, 1, 3, 1)), word("Sie", 220, 780, (1, 1, 3, 1), num=2),
             word("kühl.", 280, 780, (1, 1, 3, 1), num=3)]
    text = build_text(merge_words(BASE, extra)).text
    assert text == "Calciumbutyrat\n\nMagnesiumbutyrat\n\nBewahren Sie kühl.\n\nHinweise"


def test_an_amount_read_unsure_still_joins_its_row() -> None:
    # the sparse pass reads a lone table cell, squeezed at the label's edge, as one unsure word
    extra = [word("600mg", 1400, 602, (1, 1, 2, 6), conf=50.0)]
    text = build_text(merge_words(BASE, extra)).text
    assert text == "Calciumbutyrat 600mg\n\nMagnesiumbutyrat\n\nHinweise"


def test_a_lone_amount_does_not_continue_a_line_far_above_it_that_shares_its_column() -> None:
    # the row's name was lost to glare; the last line reaching as far right is the subtitle, far up
    base = [word("Nahrungsergänzungsmittel", 100, 100, (1, 1, 1, 1), width=1400),
            word("Zutaten", 100, 300, (1, 2, 1, 1)),
            word("Calciumbutyrat,", 100, 340, (1, 2, 1, 2), width=600),
            word("Hinweise", 100, 900, (1, 3, 1, 1))]
    merged = merge_words(base, [word("600", 1400, 600, (1, 1, 1, 1), width=40),
                                word("mg", 1450, 600, (1, 1, 1, 1), width=30, num=2)])
    text = build_text(reading_order(merged)).text
    assert text.index("Calciumbutyrat,") < text.index("600 mg") < text.index("Hinweise")
    assert "Nahrungsergänzungsmittel\n\nZutaten" in text


@pytest.mark.parametrize("extra", [
    [word("600", 1400, 602, (1, 1, 2, 6), conf=20.0)],  # too unsure even for an amount
    [word("Lot", 1400, 602, (1, 1, 2, 6), conf=50.0)],  # too unsure for a word
    [word("4", 1400, 602, (1, 1, 2, 6), conf=50.0)],  # a lone digit: a speck as often as a number
    [word("—", 1400, 602, (1, 1, 2, 6))],  # a table rule, not text
    [word("Calcium", 110, 605, (1, 1, 2, 6))],  # overlaps a word already read
])
def test_unsure_ruled_or_overlapping_words_are_not_merged(extra: list[TsvWord]) -> None:
    assert merge_words(BASE, extra) == BASE




# ---------------------------------------------------------------- is a pass good enough
BOXES = [(100, 100, 200, 30), (100, 150, 300, 30)]


@pytest.mark.parametrize(("centres", "grouped", "share"), [
    ([(150, 115), (250, 115), (200, 165)], 0, 0.0),  # all inside word boxes
    ([(150, 115), (1400, 615), (1420, 615), (1440, 616), (1470, 617), (1490, 616)], 5, 5 / 6),  # "600 mg"
    ([(150, 115), (250, 115), (900, 900)], 0, 1 / 3),  # a lone speck does not count as text
    ([], 0, 0.0),
])
def test_missed_glyphs_counts_unread_text_not_specks(centres: list[tuple[int, int]], grouped: int,
                                                     share: float) -> None:
    assert missed_glyphs(centres, BOXES, 20.0) == (grouped, pytest.approx(share))


def test_missed_glyphs_with_no_words_at_all() -> None:
    assert missed_glyphs([(10, 10), (30, 10)], [], 20.0) == (2, 1.0)


@pytest.mark.parametrize(("texts", "expected"), [
    (["Zutaten:", "Calciumbutyrat,", "Lactose"], 3 * 0.9),
    (["|", "~~", "1/", "Wwrk", "600", "mg"], 0.0),  # noise, numbers and consonant strings
    ([], 0.0),
])
def test_quality_counts_confident_word_like_words(texts: list[str], expected: float) -> None:
    words = [word(t, 10 * i, 10, (1, 1, 1, 1), conf=90.0) for i, t in enumerate(texts)]
    assert ocr_layout.quality(words) == pytest.approx(expected)


# ---------------------------------------------------------------- spaces inside words
def _text(words: list[TsvWord]) -> str:
    return build_text(words).text


@pytest.mark.parametrize(("first", "second", "gap", "expected"), [
    ("maalti", "jd", 2, "maaltijd"),  # Dutch "ij" pulled apart by a hair's width
    ("microkristalli", "jne", 1, "microkristallijne"),
    ("met", "water", 8, "met water"),  # a real space is about a quarter of the line height
    ("Neem", "2", 2, "Neem 2"),  # digits: Tesseract's boxes are too loose to judge
    ("siehe", "Bodenprägung", 2, "siehe Bodenprägung"),  # a capital starts a new word
])
def test_hairline_spaces_inside_words_are_removed(first: str, second: str, gap: int, expected: str) -> None:
    a = word(first, 100, 50, (1, 1, 1, 1), height=32)
    b = word(second, 100 + a.width + gap, 50, (1, 1, 1, 1), height=32, num=2)
    joined = join_split_words([a, b])
    assert _text(joined) == expected
    if len(joined) == 1:
        assert (joined[0].left, joined[0].width) == (100, a.width + gap + b.width)


# ---------------------------------------------------------------- table rows and split lines
def _row(texts: list[str], left: int, top: int, block: int, line: int = 1, gap: int = 14) -> list[TsvWord]:
    out, x = [], left
    for i, t in enumerate(texts, 1):
        out.append(word(t, x, top, (1, block, 1, line), num=i))
        x += 12 * len(t) + gap
    return out


def test_amount_cells_read_as_their_own_block_rejoin_their_rows() -> None:
    names = [*_row(["Zinkbutyrat"], 60, 300, 5), *_row(["Natrium"], 60, 350, 6)]
    amounts = [*_row(["300", "mg"], 1200, 302, 7, line=1), *_row(["45", "mg"], 1212, 351, 7, line=2)]
    assert _text(join_table_rows(names + amounts)) == "Zinkbutyrat 300 mg\n\nNatrium 45 mg"


def test_a_second_column_of_running_text_is_not_pulled_into_the_first() -> None:
    left = [*_row("Ingrediënten: natriumbutyraat, rijstmeel en".split(), 60, 300, 1, 1),
            *_row("magnesiumstearaat als antiklontermiddel in".split(), 60, 340, 1, 2)]
    right = [*_row("Ingrédients : butyrate de sodium, farine".split(), 800, 300, 2, 1),
             *_row("de riz et stéarate de magnésium comme".split(), 800, 340, 2, 2)]
    assert join_table_rows(left + right) == left + right


def test_a_line_split_into_two_blocks_is_rejoined() -> None:
    head = _row("Food supplement · Advanced postbiotic for".split(), 60, 100, 2)
    tail = _row("mula · 20 billion CFU".split(), head[-1].left + head[-1].width + 20, 100, 9)
    expected = "Food supplement · Advanced postbiotic for mula · 20 billion CFU"
    assert _text(join_table_rows(head + tail)) == expected


def _skewed(texts: list[str], left: int, top: int, block: int, line: int, slope: float) -> list[TsvWord]:
    """A row whose words rise (slope < 0) or fall to the right, as on a scan placed at an angle."""
    row = _row(texts, left, top, block, line)
    return [replace(w, top=round(w.top + slope * (w.left - left))) for w in row]


def test_rows_are_matched_across_a_skewed_page() -> None:
    slope = -0.03  # the right side is higher: 33 px over 1100 px, more than a line height
    sentence = "Neem dagelijks twee capsules met water".split()
    text = [w for i in range(4) for w in _skewed(sentence, 60, 100 + 40 * i, 1, i + 1, slope)]
    name = _skewed(["Natriumbutyraat"], 60, 400, 2, 1, slope)
    amount = _skewed(["600", "mg"], 1160, round(400 + slope * 1100), 3, 1, slope)
    assert page_slope(ocr_layout.group_lines(text)) == pytest.approx(slope, abs=0.005)
    assert _text(join_table_rows(text + name + amount)).endswith("Natriumbutyraat 600 mg")


def test_page_slope_needs_several_long_lines() -> None:
    assert page_slope(ocr_layout.group_lines(_row(["a", "b", "c", "d"], 0, 0, 1))) == 0.0


# ---------------------------------------------------------------- block order
def test_blocks_of_one_column_are_read_top_to_bottom() -> None:
    # what Tesseract gave on a skewed scan: the short headings as one "column", then the paragraphs
    heading_1 = _row(["Ingrédients"], 60, 100, 1)
    heading_2 = _row(["Conseils"], 60, 300, 2)
    body_1 = _row("Maltodextrine, butyrate de magnésium, arôme naturel de citron.".split(), 60, 150, 3)
    body_2 = _row("1 sachet par jour dans un verre d'eau.".split(), 60, 350, 4)
    ordered = reading_order(heading_1 + heading_2 + body_1 + body_2)
    assert _text(ordered).split("\n\n") == ["Ingrédients", "Maltodextrine, butyrate de magnésium, arôme "
                                            "naturel de citron.", "Conseils", "1 sachet par jour dans un "
                                            "verre d'eau."]


def test_side_by_side_columns_keep_tesseracts_order() -> None:
    left = [*_row(["Nederlands"], 60, 100, 1), *_row("Bewaren op een droge plaats.".split(), 60, 400, 2)]
    right = [*_row(["Français"], 800, 100, 3), *_row("Conserver au sec.".split(), 800, 150, 4)]
    words = left + right
    assert reading_order(words) == words


# ---------------------------------------------------------------- sentences split over blocks
@pytest.mark.parametrize(("upper", "lower", "top", "expected"), [
    ("Complément alimentaire à base de", "butyrate de magnésium.", 130, "\n"),  # sentence goes on
    ("De aanbevolen dosis niet", "overschrijden.", 122, "\n"),  # skewed: boxes overlap a little
    ("Zutaten", "Calciumbutyrat, Lactose.", 130, "\n\n"),  # a heading, then a capital
    ("Kühl lagern.", "pro Tablette", 130, "\n\n"),  # the sentence had ended
    ("Complément alimentaire à base de", "butyrate de magnésium.", 400, "\n\n"),  # far below
])
def test_a_sentence_split_over_two_blocks_stays_one_paragraph(upper: str, lower: str, top: int,
                                                              expected: str) -> None:
    words = _row(upper.split(), 60, 100, 1) + _row(lower.split(), 60, top, 2)
    assert _text(join_paragraphs(words)) == upper + expected + lower


def test_a_block_continuing_a_line_to_its_right_brings_its_other_lines_along() -> None:
    head = _row("Complément alimentaire à base de".split(), 60, 100, 1)
    x = head[-1].left + head[-1].width + 20
    tail = [*_row("butyrate de magnésium et".split(), x, 100, 2, 1),
            *_row("de Lactobacillus.".split(), 60, 135, 2, 2)]
    after = _row(["Ingrédients"], 60, 200, 3)
    assert _text(join_paragraphs(head + tail + after)) == (
        "Complément alimentaire à base de\nbutyrate de magnésium et\nde Lactobacillus.\n\nIngrédients")


# ---------------------------------------------------------------- specks and lone table cells
def test_specks_are_dropped_but_small_punctuation_and_digits_stay() -> None:
    words = [word("Natriumbutyraat", 100, 600, (1, 5, 1, 2)),
             word("i", 400, 640, (1, 5, 1, 3), width=4, height=4),
             word("·", 330, 608, (1, 5, 1, 2), width=5, height=5, num=2),
             word("1", 100, 700, (1, 5, 1, 4), width=10, height=20)]
    kept = [w.text for w in drop_specks(words)]
    assert kept == ["Natriumbutyraat", "·", "1"]


def test_a_lone_amount_joins_the_row_name_tesseract_put_in_the_next_block() -> None:
    words = [word("L.", 100, 580, (1, 5, 1, 2)), word("plantarum", 140, 580, (1, 5, 1, 2), num=2),
             word("100", 1100, 582, (1, 5, 1, 2), num=3), word("mg", 1150, 582, (1, 5, 1, 2), num=4),
             word("35", 1110, 628, (1, 5, 1, 3)), word("mg", 1150, 629, (1, 5, 1, 3), num=2),
             word("Tributyrine", 100, 628, (1, 6, 1, 1))]
    text = build_text(join_row_cells(words)).text
    assert "Tributyrine 35 mg" in text.splitlines()
    assert "L. plantarum 100 mg" in text.splitlines()


def test_a_short_line_with_a_number_in_running_text_stays_where_it_is() -> None:
    words = [word("Neem", 100, 700, (1, 7, 1, 1)), word("dagelijks", 170, 700, (1, 7, 1, 1), num=2),
             word("2", 600, 700, (1, 8, 1, 1)), word("capsules", 630, 700, (1, 8, 1, 1), num=2),
             word("Lindenlaan", 100, 760, (1, 9, 1, 1)), word("41,", 250, 760, (1, 9, 1, 1), num=2),
             word("Utrecht", 1100, 760, (1, 9, 1, 1), num=3)]
    assert join_row_cells(words) == words  # "2 capsules" ends far from the right edge of the text


# ---------------------------------------------------------------- lines cut in two by glare
def _line(texts: list[str], left: int, top: int, key: tuple[int, int, int, int],
          step: int = 90) -> list[TsvWord]:
    return [word(t, left + step * i, top, key, num=i + 1) for i, t in enumerate(texts)]


LEFT_HALVES = (_line(["De", "aanbevolen", "dagelijkse"], 100, 700, (1, 7, 1, 1))
               + _line(["Een", "voedingssupplement", "is"], 100, 740, (1, 7, 1, 2))
               + _line(["gevarieerde", "en", "evenwichtige"], 100, 780, (1, 7, 1, 3)))


def test_half_lines_starting_at_scattered_places_are_joined_to_their_rows() -> None:
    # the right halves start wherever the glare spot ended on each line
    right = (_line(["dosis", "niet", "overschrijden."], 640, 700, (1, 8, 1, 1))
             + _line(["geen", "vervanging", "van"], 560, 740, (1, 8, 1, 2))
             + _line(["voeding", "en", "leefstijl."], 700, 780, (1, 8, 1, 3)))
    text = build_text(join_table_rows(LEFT_HALVES + right)).text
    assert text.splitlines() == ["De aanbevolen dagelijkse dosis niet overschrijden.",
                                 "Een voedingssupplement is geen vervanging van",
                                 "gevarieerde en evenwichtige voeding en leefstijl."]


def test_a_second_column_of_prose_is_not_joined_to_the_first() -> None:
    column = (_line(["Prendre", "une", "gélule", "par", "jour", "avec", "un", "verre"], 640, 700,
                    (1, 8, 1, 1), 60)
              + _line(["d'eau.", "Ne", "pas", "dépasser", "la", "dose", "journalière"], 640, 740,
                      (1, 8, 1, 2), 60)
              + _line(["recommandée.", "Tenir", "hors", "de", "portée", "des", "enfants."], 640, 780,
                      (1, 8, 1, 3), 60))
    lines = build_text(join_table_rows(LEFT_HALVES + column)).text.splitlines()
    assert lines[0] == "De aanbevolen dagelijkse"
    assert ocr_layout.split_rows(LEFT_HALVES + column) == 1.0  # side by side, each line shares its row
    assert ocr_layout.split_rows(LEFT_HALVES) == 0.0
