"""Find printed quantities ("1.200 mg", "0,5 g", "10 milliards de cellules", "1 x 10^9 KVE") in text."""
from __future__ import annotations

import bisect
import functools
import re

from checker.models import Amount

# Same-length character fixes so that match offsets stay valid in the caller's text.
_SAME_LENGTH = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                              "\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " ",
                              "\u03bc": "\u00b5"})
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")

# A number as printed: grouped thousands ("1,200", "10.000", "1 200") or a plain/decimal number.
NUMBER = r"(?:\d{1,3}(?:[.,' ]\d{3}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
_NUM_START = r"(?<![\w,\-/])(?<!\d\.)"  # not inside "L-137", "E551", "1/2", "1.5"; dot leaders are fine
RANGE_SEP = r"(?:\s?-\s?|\s(?:to|tot|bis|à|a)\s)"

# multiplier words -> factor; checked in order, so longer spellings come first
_MULTIPLIERS: tuple[tuple[str, float], ...] = (
    (r"billions?|milliards?|milliarden|milliarde|miljarden|miljard|mrd\.?|mld\.?|bn|bln", 1e9),
    (r"millions?|millionen|miljoenen|miljoen|mio\.?|mln\.?", 1e6),
    (r"trillions?|biljoen", 1e12),
)
MULTIPLIER = "|".join(m for m, _ in _MULTIPLIERS)
_COUNT_WORDS = r"cfu|kve|kbe|ufc|cells?|cellen|zellen|cellules"
# "x 10^9", "× 10⁹", "x10E9", and "x 109" before a count unit (the superscript lost by OCR), "x 1079" (the
# caret of "10^9" read as 7)
SCI = (r"[x×X*]\s?10\s?(?:(?:\^|[eE]|\*\*)\s?(?P<exp>\d{1,2})|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})"
       rf"|7(?P<caret>[5-9]|1[0-2])(?=\s?(?:{_COUNT_WORDS})\b)"
       rf"|(?P<lost>\d{{1,2}})(?=\s?(?:{_COUNT_WORDS})\b))")
POWER_ONLY = r"10\s?(?:\^|[eE]|\*\*)\s?(?P<pexp>[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})|10(?P<sexp>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})"

# unit spellings -> normalised unit; case-insensitive except where noted
_UNITS: tuple[tuple[str, str], ...] = (
    # OCR misreads of "mg" ("rng", "mq", "m9", "me", "MB") are read as mg: none is a unit on a label
    # and "mgt": a footnote dagger read as t ("600 mg†": no reference value established)
    (r"mgt|mg|rng|rnq|mq|m9|me|mb|milligrams?|milligramm|milligrammes?", "mg"),
    (r"[µu]g|mcg|micrograms?|mikrogramm|microgrammes?", "ug"),
    (r"kg|kilograms?|kilogramm|kilogrammes?", "kg"),
    (r"g|gr\.?|grams?|gramm|grammes?", "g"),
    (r"ml|milliliters?|millilitres?", "ml"),
    (r"(?-i:IU|I\.U\.|IE|I\.E\.|UI|U\.I\.)", "IU"),
    (r"%", "%"),
    (r"cfu|kve|kbe|ufc|colony[- ]forming units|kolonievormende eenheden|koloniebildende einheiten"
     r"|unit[ée]s formant colonies", "cfu"),
    (r"cells?|cellen|zellen|cellules|bacteria|bacteri[eë]n|bakterien|bact[ée]ries", "cells"),
)
_COUNT_UNITS = {"cfu", "cells"}
UNIT = "|".join(f"(?P<u{i}>{pattern})" for i, (pattern, _) in enumerate(_UNITS))
_UNIT_END = r"(?![^\W\d_])"  # the unit is not the start of a longer word ("20 gélules")
# words allowed between a count multiplier and its unit: "10 milliards de cellules", "10 Mrd. lebende Zellen"
_COUNT_FILLER = r"(?:(?:de|d'|of|van|an|live|levende|lebende|vivantes|actieve|aktive|actives)\s?)?"

AMOUNT_RE = re.compile(
    _NUM_START + rf"(?P<num>{NUMBER})"
    rf"(?:{RANGE_SEP}(?P<num2>{NUMBER}))?"
    rf"(?:\s?(?P<sci>{SCI})|\s?(?P<mult>{MULTIPLIER})(?:(?![^\W\d_])|(?={_COUNT_WORDS})))?"  # "miljardcellen"
    rf"\s?{_COUNT_FILLER}(?:{UNIT}){_UNIT_END}",
    re.IGNORECASE,
)
# a bare power of ten before a count unit: "10^10 CFU", "10⁹ KBE"
POWER_RE = re.compile(rf"{_NUM_START}(?:{POWER_ONLY})\s?{_COUNT_FILLER}(?:{UNIT}){_UNIT_END}", re.IGNORECASE)
# a count with a multiplier but no unit word ("L. casei 10 billion"): read as cells
BARE_COUNT_RE = re.compile(
    _NUM_START + rf"(?P<num>{NUMBER})(?:{RANGE_SEP}(?P<num2>{NUMBER}))?"
    rf"\s?(?:(?P<sci>{SCI})|(?P<mult>{MULTIPLIER})(?![^\W\d_]))",
    re.IGNORECASE,
)
# OCR: a numeric-looking token (with O for 0, l/I/| for 1) right before a mass/volume unit
_OCR_NUMBER_RE = re.compile(r"(?<![\w,])(?<!\d\.)(?P<tok>[0-9OolI|][0-9OolI|.,]*)"
                            r"(?=\s?(?:mg|rng|g|[µu]g|mcg|ml|me)\b)")
_RANGE_JOIN_RE = re.compile(RANGE_SEP, re.IGNORECASE)


# no label prints more; keeps every product of amounts (dose x units x servings) a finite float
MAX_VALUE = 1e30


def parse_number(text: str) -> float | None:
    """Read one printed number: "1,200" -> 1200, "1,5" -> 1.5, "10.000" -> 10000, "1 200" -> 1200."""
    s = text.strip().translate(_SAME_LENGTH).replace("'", "")
    if not s:
        return None
    s = re.sub(r"\s", "", s)
    seps = [c for c in s if c in ".,"]
    if not seps:
        return _to_float(s) if s.isdigit() else None
    if "." in seps and "," in seps:  # "1.200,5" or "1,200.5": the last separator is the decimal one
        dec = s.rfind(".") if s.rfind(".") > s.rfind(",") else s.rfind(",")
        whole = re.sub(r"[.,]", "", s[:dec])
        return _to_float(f"{whole}.{s[dec + 1:]}")
    sep = seps[0]
    groups = s.split(sep)
    # "1,200" and "10.000" group thousands; "1,5", "0,500" and "1.25" are decimals
    thousands = ((len(groups) > 2 or len(groups[-1]) == 3) and all(len(g) == 3 for g in groups[1:])
                 and 1 <= len(groups[0]) <= 3 and groups[0] != "0")
    if thousands:
        return _to_float("".join(groups))
    if len(groups) != 2:
        return None
    return _to_float(f"{groups[0]}.{groups[1]}")


def _to_float(s: str) -> float | None:
    try:
        value = float(s)
    except ValueError:
        return None
    return value if value <= MAX_VALUE else None  # also drops inf from a 400-digit run


def _prepare(text: str) -> str:
    """Same-length copy of `text` with dashes/spaces unified and OCR letter-for-digit slips fixed."""
    prepared = text.translate(_SAME_LENGTH)

    def fix(m: re.Match[str]) -> str:
        tok = m.group("tok")
        has_digit = any(c.isdigit() for c in tok)
        if not has_digit and not re.fullmatch(r"[lI|][0Oo]*", tok):
            return tok
        return tok.translate(str.maketrans("OolI|", "00111"))

    return _OCR_NUMBER_RE.sub(fix, prepared)


def _unit_of(m: re.Match[str]) -> str | None:
    for i, (_, unit) in enumerate(_UNITS):
        if m.group(f"u{i}") is not None:
            return unit
    return None


def _factor(m: re.Match[str]) -> float:
    if m.groupdict().get("sci"):
        exp = m.group("exp") or m.group("sup") or m.group("caret") or m.group("lost")
        return 10.0 ** int(exp.translate(_SUPERSCRIPTS))
    mult = m.groupdict().get("mult")
    if mult:
        word = mult.lower()
        for pattern, factor in _MULTIPLIERS:
            if re.fullmatch(pattern, word):
                return factor
    return 1.0


def _amount_from_match(m: re.Match[str], text: str, unit: str | None) -> Amount | None:
    printed = text[m.start():m.end()]
    exp = m.groupdict().get("pexp") or m.groupdict().get("sexp")
    if exp:  # "10^10 CFU"
        return Amount(10.0 ** int(exp.translate(_SUPERSCRIPTS)), unit or "cells", printed)
    if "num" not in m.groupdict():
        return None
    value = parse_number(m.group("num"))
    if value is None:
        return None
    value_max = parse_number(m.group("num2")) if m.group("num2") else None
    factor = _factor(m)
    value *= factor
    value_max = value_max * factor if value_max is not None else None
    if value > MAX_VALUE or (value_max or 0) > MAX_VALUE:
        return None
    if unit == "kg":
        unit, value = "g", value * 1000
        value_max = value_max * 1000 if value_max is not None else None
    if unit is None:
        unit = "cells"
    if value_max is not None and value_max <= value:
        value_max = None  # "2-1" is no range; keep the first number
    if unit in _COUNT_UNITS and factor == 1.0 and value < 1000:
        return None  # "2 bacteria" is a number of species, not a cell count
    return Amount(value, unit, printed, value_max)


def find_amounts(text: str) -> list[tuple[Amount, int, int]]:
    """Every amount with a unit (or a count with a multiplier) in `text`, with its char span."""
    return list(_find_amounts(text))


@functools.lru_cache(maxsize=512)
def _find_amounts(text: str) -> tuple[tuple[Amount, int, int], ...]:
    # several parser steps ask for the amounts of the same text (or line); Amount is frozen, so share them
    prepared = _prepare(text)
    found: list[tuple[Amount, int, int]] = []
    taken = _Spans()
    for regex in (AMOUNT_RE, POWER_RE):
        for m in regex.finditer(prepared):
            if taken.overlaps(m.start(), m.end()):
                continue
            amount = _amount_from_match(m, text, _unit_of(m))
            if amount is not None:
                found.append((amount, m.start(), m.end()))
                taken.add(m.start(), m.end())
    for m in BARE_COUNT_RE.finditer(prepared):
        if taken.overlaps(m.start(), m.end()):
            continue
        amount = _amount_from_match(m, text, None)
        if amount is not None:
            found.append((amount, m.start(), m.end()))
    found.sort(key=lambda t: t[1])
    return tuple(_join_ranges(found, prepared, text))


class _Spans:
    """Non-overlapping spans kept sorted, so an overlap test is a binary search (not a scan)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        # of the spans starting before `end`, the last one also ends last (they do not overlap)
        k = bisect.bisect_left(self.starts, end)
        return k > 0 and self.ends[k - 1] > start

    def add(self, start: int, end: int) -> None:
        k = bisect.bisect_left(self.starts, start)
        self.starts.insert(k, start)
        self.ends.insert(k, end)


def _join_ranges(found: list[tuple[Amount, int, int]], prepared: str,
                 text: str) -> list[tuple[Amount, int, int]]:
    """Merge "100 mg - 200 mg" into one ranged amount."""
    out: list[tuple[Amount, int, int]] = []
    for amount, start, end in found:
        if out:
            prev, pstart, pend = out[-1]
            between = prepared[pend:start]
            if (prev.unit == amount.unit and prev.value_max is None and amount.value > prev.value
                    and _RANGE_JOIN_RE.fullmatch(between)):
                out[-1] = (Amount(prev.value, prev.unit, text[pstart:end], amount.value), pstart, end)
                continue
        out.append((amount, start, end))
    return out


def parse_amount(text: str) -> Amount | None:
    """The first amount printed in `text`, or None."""
    found = find_amounts(text)
    return found[0][0] if found else None
