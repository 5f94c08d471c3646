"""Printed quantities: number formats, units, ranges, count multipliers and OCR slips in four languages."""
from __future__ import annotations

import pytest

from checker.parsing.amounts import find_amounts, parse_amount, parse_number


@pytest.mark.parametrize("text, value, unit, value_max", [
    # decimal comma / point and thousands separators decided by digit grouping
    ("0,5 g", 0.5, "g", None),
    ("1,5 g poeder", 1.5, "g", None),
    ("Sodium Butyrate 1,200 mg", 1200, "mg", None),
    ("Natriumbutyraat 1.200 mg", 1200, "mg", None),
    ("Natriumbutyrat 1 200 mg", 1200, "mg", None),
    ("Natriumbutyrat 1\u00a0200 mg", 1200, "mg", None),
    ("10.000 mg per dagdosis", 10000, "mg", None),
    ("0,600 g", 0.6, "g", None),
    ("1.000,5 mg", 1000.5, "mg", None),
    ("2.75 g", 2.75, "g", None),
    # ranges with dashes and words
    ("100-200 mg", 100, "mg", 200),
    ("1\u20132 g", 1, "g", 2),
    ("5 tot 10 g", 5, "g", 10),
    ("300 bis 600 mg", 300, "mg", 600),
    ("150 mg - 300 mg", 150, "mg", 300),
    # units: spellings in four languages and OCR slips
    ("600mg", 600, "mg", None),
    ("600 rng", 600, "mg", None),
    ("600 mgt", 600, "mg", None),  # "600 mg†": the footnote dagger read as t
    ("6OO mg", 600, "mg", None),
    ("lOO mg", 100, "mg", None),
    ("l g", 1, "g", None),
    ("| g", 1, "g", None),
    ("50 mcg", 50, "ug", None),
    ("10 µg", 10, "ug", None),
    ("25 \u03bcg", 25, "ug", None),
    ("400 IE vitamine D", 400, "IU", None),
    ("1000 I.E.", 1000, "IU", None),
    ("800 UI", 800, "IU", None),
    ("(64 %)", 64, "%", None),
    ("200 ml water", 200, "ml", None),
    ("0,3 kg", 300, "g", None),
    ("250 milligrammes", 250, "mg", None),
    # counts with multiplier words and powers of ten
    ("20 billion CFU", 20e9, "cfu", None),
    ("10 milliards de cellules", 1e10, "cells", None),
    ("5 miljard kve", 5e9, "cfu", None),
    ("2,5 Mrd. KBE", 2.5e9, "cfu", None),
    ("3 Milliarden lebende Zellen", 3e9, "cells", None),
    ("500 Mio. KBE", 5e8, "cfu", None),
    ("100 miljoen cellen", 1e8, "cells", None),
    ("1 x 10^9 KVE", 1e9, "cfu", None),
    ("1\u00d710\u2079 CFU", 1e9, "cfu", None),
    ("1 x 10E9 UFC", 1e9, "cfu", None),
    ("3 x 109 CFU", 3e9, "cfu", None),  # superscript 9 lost by OCR
    ("10^10 cells", 1e10, "cells", None),
    ("1-2 milliards d'UFC", 1e9, "cfu", 2e9),
    ("12 billion", 12e9, "cells", None),  # a multiplied count with no unit word
])
def test_first_amount(text, value, unit, value_max):
    amount = parse_amount(text)
    assert amount is not None
    assert amount.unit == unit
    assert amount.value == pytest.approx(value)
    assert amount.value_max == (pytest.approx(value_max) if value_max else None)


@pytest.mark.parametrize("text", [
    "E551", "E 551", "NB-25-0412", "20 gélules", "60 Kapseln", "25 °C", "ISO 17025", "3521 GK Utrecht",
    "L-137", "2 bacteria strains", "Vitamine D 10 ie",  # lower-case "ie" is a Dutch word, not IU
])
def test_no_amount(text):
    assert find_amounts(text) == []


@pytest.mark.parametrize("text, expected", [
    ("2 x 100 mg", [(100, "mg")]),  # "x 100" is not a power of ten for a mass
    ("Sodium 250 mg 11%", [(250, "mg"), (11, "%")]),
    ("L. paracasei VT-52 inactivé 50 mg (10 milliards de cellules)", [(50, "mg"), (1e10, "cells")]),
    ("Natriumbutyraat 600\n480 mg", [(480, "mg")]),  # no thousands group across a line break
    ("60 Kapseln = 34 g", [(34, "g")]),
    ("L-137 100 mg", [(100, "mg")]),  # the strain number is no part of the amount
    ("(hitte-gedood) 10 miljardcellen", [(1e10, "cells")]),  # OCR lost the space before the count word
    ("5 x 1079 cellen", [(5e9, "cells")]),  # "5 x 10^9 cellen" with the caret read as 7
    ("5 x 107 cellen", [(5e7, "cells")]),  # "5 x 10⁷": the superscript lost
])
def test_all_amounts(text, expected):
    found = find_amounts(text)
    assert [a.unit for a, _, _ in found] == [u for _, u in expected]
    assert [a.value for a, _, _ in found] == pytest.approx([v for v, _ in expected])


@pytest.mark.parametrize("text", ["Tributyrin 1,200 mg", "Calciumbutyrat: 6OO mg", "x 20 billion CFU y"])
def test_spans_point_at_the_printed_text(text):
    for amount, start, end in find_amounts(text):
        assert text[start:end] == amount.text


@pytest.mark.parametrize("text, value", [
    ("1,200", 1200), ("1,5", 1.5), ("1.200", 1200), ("1.5", 1.5), ("10.000", 10000), ("1 200", 1200),
    ("0,500", 0.5), ("1.000.000", 1e6), ("1,000.5", 1000.5), ("12", 12), ("", None), ("abc", None),
])
def test_parse_number(text, value):
    assert parse_number(text) == value
