"""Parser limits and the linear rewrites of formerly quadratic steps: same answers as the old regexes."""
from __future__ import annotations

import random
import re

import pytest

from checker.errors import InputError
from checker.parsing import MAX_TEXT_CHARS, parse_label, particulars, prepare_text, serving
from checker.reference import default_reference

# the regexes as they were before the rewrites (quadratic or exponential on hostile text)
OLD_EDGE_JUNK = re.compile(r"^[ \t]*(?:[|_~=«»©®•*\\]+[ \t]*)+(?=[A-ZÀ-Ý0-9\"'‚(])"
                           r"|[ \t]+[|_~=«»©®\\]+[ \t]*$", re.MULTILINE)
_DAY_WORDS = (r"(?:dagdosis|dagdosering|dagelijkse dosis|daily dose|per day|tagesdosis|dose journaliere"
              r"|par jour|pro tag|per dag)")
# closed brackets, or brackets left open by OCR at the end of the line ("Per 2 capsules (dagdosering")
OLD_DAY_IN_BRACKETS = re.compile(rf"\((?:[^)]*\b)?{_DAY_WORDS}\b[^)]*\)"
                                 rf"|\((?:[^)]*\b)?{_DAY_WORDS}\b[ .:;-]*\Z")
OLD_BARE_LOT = re.compile(r"(?:^|(?<=[·|;]\s)|(?<=[·|;])|(?<=\d\s))\s*L\s?[-.:]?\s?"
                          r"(?P<code>(?=[A-Z0-9/-]*\d)[A-Z0-9][A-Z0-9/-]{3,})\b", re.MULTILINE)


def _random_texts(alphabet: str, words: list[str], n: int = 400, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(words) if rng.random() < 0.3 else rng.choice(alphabet)
                    for _ in range(rng.randint(0, 40))) for _ in range(n)]


@pytest.mark.parametrize("length, ok", [(MAX_TEXT_CHARS, True), (MAX_TEXT_CHARS + 1, False)])
def test_parse_label_refuses_text_longer_than_a_label(length: int, ok: bool) -> None:
    text = ("Ingredients: sodium butyrate, rice flour. " * (length // 40 + 1))[:length]
    if ok:
        assert parse_label(text, default_reference()).text == text
    else:
        with pytest.raises(InputError) as err:
            parse_label(text, default_reference())
        assert err.value.code == "text_too_long"


def test_edge_junk_rewrite_blanks_the_same_marks() -> None:
    texts = _random_texts(" \t\n|_~=«»©®•*\\Aa1(", ["| ", "Zutaten", " |\n", "||", "\t|"])
    for text in texts:
        assert prepare_text(text) == prepare_text_old(text), repr(text)


def prepare_text_old(text: str) -> str:
    from checker.parsing import _SAME_LENGTH

    text = text.translate(_SAME_LENGTH)
    return OLD_EDGE_JUNK.sub(lambda m: " " * len(m.group()), text)


def test_day_in_brackets_rewrite_agrees_with_the_old_regex() -> None:
    texts = _random_texts("() x", ["per dag", "dagdosis", "(2 caps ", "daily dose", ")", "perdag", "a"])
    for text in texts:
        assert serving._day_in_brackets(text) == bool(OLD_DAY_IN_BRACKETS.search(text)), repr(text)


def test_bracket_spans_agree_with_finditer() -> None:
    for text in _random_texts("()ab ", ["((", "))", "(5 mg)"]):
        assert serving._bracket_spans(text) == [m.span() for m in re.finditer(r"\([^)]*\)", text)]


@pytest.mark.parametrize("text", [
    "Lot L 24-0917", "\n\n  L 12345\n", "600 mg\n\nL2024-11", "· L-ABC123 ·", "; L:99999", "Lab 1234",
    "x\n \n L 20250\n", "5 \n\nL 1234"])
def test_bare_lot_reads_the_same_code(text: str) -> None:
    new, old = particulars.BARE_LOT.search(text), OLD_BARE_LOT.search(text)
    assert (new is None) == (old is None)
    if new and old:
        assert new.group("code") == old.group("code")
        assert " ".join(new.group().split()) == " ".join(old.group().split())


def test_cover_agrees_with_a_scan_of_overlapping_spans() -> None:
    rng = random.Random(3)
    for _ in range(200):
        spans = [(s, s + rng.randint(0, 8)) for s in (rng.randint(0, 40) for _ in range(rng.randint(0, 6)))]
        cover = serving._Cover(spans)
        for pos in range(50):
            assert cover.covers(pos) == any(s <= pos < e for s, e in spans)


@pytest.mark.parametrize("sentence", [
    "take 2 capsules daily", "daily 2 capsules", "2 capsules. daily",
    "2 capsules with a lot of water every day", "2 capsules (daily)",
    "daily; take 2 capsules and 1 tablet daily", "1 sachet per dag en 2 capsules",
])
def test_near_free_day_checks_only_the_nearest_day_words(sentence: str) -> None:
    counts = serving._counts(sentence)
    days = list(serving.DAY_RE.finditer(sentence))
    starts = [d.start() for d in days]
    for c in counts:
        old = any(len(gap.split()) <= 3 and not re.search(r"[.;(]", gap)
                  for gap in (sentence[c.end:d.start()] if d.start() >= c.end else sentence[d.end():c.start]
                              for d in days))
        assert serving._near_free_day(sentence, c, days, starts) == old


def test_after_separator_agrees_with_the_old_regex() -> None:
    from checker.parsing.sections import _after_separator

    old = re.compile(r"(?:[.!?·•|—–]|\s-)\s*$")
    for text in _random_texts(" \t.!?·•|—–-a\u00a0", [" - ", "x.", "· ", "a-", "\t-\t"]):
        assert _after_separator(text) == bool(old.search(text)), repr(text)
