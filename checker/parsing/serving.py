"""Read serving size and daily use ("3 maal daags 2 softgels", "Serving Size 2 Capsules") in NL/EN/DE/FR."""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

from checker.models import Basis, Serving
from checker.parsing.amounts import find_amounts, parse_number
from checker.reference import ReferenceData
from checker.textnorm import fold_keep_offsets

# ---------------------------------------------------------------- vocabulary (folded: lower case, no accents)
# unit words -> normalised English singular; checked in order (softgel before capsule, "capsules molles")
UNIT_WORDS: tuple[tuple[str, str], ...] = (
    (r"soft[- ]?gels?|weich(?:gelatine)?kapseln?|capsules? molles?|zachte capsules?|gel[- ]?caps?",
     "softgel"),
    (r"[a-z]*tablett?(?:en|es|e|s)?|comprimes?|tabs?|presslinge?|pastilles?", "tablet"),
    (r"v-?caps|veg-?caps|vegicaps?|caps\.?|[a-z]*capsules?|capsula|[a-z]*kapseln?|gelules?", "capsule"),
    (r"sachets?|zakjes?|(?:portions)?beutel|sticks?|stickpacks?", "sachet"),
    (r"maatschep(?:je|jes|pen)?|scoops?|messloffel|dosierloffel|dosettes?|cuilleres?[- ]mesures?"
     r"|mesurettes?|measuring spoons?|cuilleres? doseuses?", "scoop"),
    (r"theelepels?|teaspoons?|tsp|teeloffel|cuilleres? a cafe", "teaspoon"),
    (r"drops?|druppels?|tropfen|gouttes?", "drop"),
    (r"gumm(?:y|ies|is?)|fruchtgummis?|gommes?|gommetjes?", "gummy"),
    (r"ampul(?:len)?|ampullen?|ampoules?|vials?|shots?", "ampoule"),
    (r"servings?|porties?|portion(?:en|s)?", "serving"),
    (r"ml|milliliters?|millilitres?", "ml"),
    (r"g|grams?|gramm|grammes?", "g"),
)
_MEASURES = {"g", "ml"}
_SOLVENT = re.compile(r"(?:\bin|\bmet|\bwith|\bmit|\bdans|\bavec|\bop|\bvan|\bof|\(|\bde)\s?$")
# "1 8 3" without its spaces: a range "1 à 3" whose "à" OCR read as 8 (a count of 183 units is no dose)
_A_READ_AS_8 = re.compile(r"([1-4])8([2-9])")
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "een": 1, "twee": 2, "drie": 3, "vier": 4,
                "ein": 1, "eine": 1, "einen": 1, "zwei": 2, "drei": 3, "un": 1, "une": 1, "deux": 2,
                "trois": 3, "quatre": 4, "half": 0.5, "halve": 0.5, "halbe": 0.5, "demi": 0.5}
_NUM_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
# a count: "2", "1-2", "1 tot 2", "two", "| " or "l" read for 1 before a unit word
_COUNT_NUM = rf"(?:\d+(?:[.,]5)?|{_NUM_WORD})"
# "1-2", "1 tot 2", "2 à 3" (folded: "a") and "2à3" read without its spaces
_RANGE = r"\s?(?:-|/)\s?|\s(?:to|tot|bis|a|or|of|oder|ou)\s|a(?=\d)"
_UNIT_ALT = "|".join(f"(?P<w{i}>{p})" for i, (p, _) in enumerate(UNIT_WORDS))
_NOT_ADJ = (r"(?!(?:per|pro|par|keer|maal|mal|times|fois|x|daily|dag|tag|jour|day"
            r"|with|met|mit|avec|and|en|und|et)\b)")
COUNT_RE = re.compile(
    rf"(?<![\w.,])(?P<n>{_COUNT_NUM}|[|li!\\\]](?=\s))(?:(?:{_RANGE})(?P<n2>{_COUNT_NUM}))?"
    rf"\s?(?:{_NOT_ADJ}[a-z]{{3,}}\s){{0,2}}(?:{_UNIT_ALT})(?![\w])"
)
# "2 keer", "3 maal", "2x", "zweimal", "twice", "deux fois" - a number of servings
_OR = r"(?:\s?-\s?|\s?-?\s(?:to|tot|bis|a|or|of|oder|ou)\s)"
_TIMES = (rf"(?P<f>\d+|{_NUM_WORD})(?:{_OR}(?P<f2>\d+|{_NUM_WORD}))?\s?-?\s?(?:x|keer|maal|mal|times|fois)\b"
          rf"|(?:(?P<fwa>een|twee|ein|zwei){_OR})?(?P<fw>een|twee|drie|ein|zwei|drei)(?:maal|mal)\b"
          r"|(?P<fe>once|twice|thrice)\b")
_DAY = (r"per dag|daags|dagelijks|per etmaal|per day|a day|each day|every day|daily|a\s?/\s?day"
        r"|/\s?dag|/\s?day|/\s?tag|/\s?jour|pro tag|am tag|taglich|tgl\.?|par jour|chaque jour"
        r"|quotidiennement|au quotidien|'?s daags|per tag|pro dag|in de dag|a jour|par 24 ?h|per 24 ?uur"
        r"|per 24 ?hours?")
DAY_RE = re.compile(rf"(?<![\w])(?:{_DAY})(?![\w])")
FREQ_RE = re.compile(rf"(?<![\w])(?:{_TIMES})(?:\s?(?:{_DAY}))?")
_TIME_OF_DAY = (r"(?:'?s\s?)?(?:morgens|ochtends|ochtend|morning|matin|fruh|fruhstuck|mittags|middags|middag"
                r"|noon|midday|lunch|midi|abends|avonds|avond|evening|night|soir|bedtime|coucher)")
# "morgens und abends", "'s ochtends, 's middags en 's avonds", "matin et soir": one serving at each time
TIMES_OF_DAY_RE = re.compile(rf"{_TIME_OF_DAY}(?:\s?(?:,|und|en|and|et|&)\s?{_TIME_OF_DAY})+")
_EACH_MEAL = re.compile(r"(?:bij|with|zu|a|at|pendant)\s(?:elke|iedere|each|every|jeder|chaque)\s"
                        r"(?:hoofd)?(?:maaltijd|meal|mahlzeit|hauptmahlzeit|repas)")
_EACH = re.compile(r"(?:je|jeweils|each|elk|elke|chacun|chaque|per keer|per inname|a time|at a time)\s$")
_LIMIT = re.compile(r"(?:niet meer dan|not more than|no more than|do not exceed|nicht mehr als|hochstens"
                    r"|maximaal|maximum|max\.?|up to|tot maximaal|bis zu|jusqu'a|pas plus de"
                    r"|ne pas depasser)\s"
                    r"(?:(?:de|die|the|les|la|dan)\s)?(?:[a-z]+\s)?$")
_SERVING_SIZE = re.compile(r"(?:serving size|portion size|portiegrootte|portiegroote|portionsgrosse"
                           r"|portion|portie|taille de (?:la )?portion|eine portion|1 portion)"
                           r"\s?(?:=|:)?\s?$")
_DAILY_DOSE_WORD = re.compile(r"dagelijkse (?:dosis|hoeveelheid)|dagdosis|dagdosering|daily dose|tagesdosis"
                              r"|verzehrsmenge|dose journaliere|dose quotidienne")
_DAILY_DOSE = re.compile(r"(?:dagelijkse (?:dosis|hoeveelheid)|dagdosis|dagdosering|daily dose|daily intake"
                         r"|daily serving|tagesdosis|tagesportion|verzehrsmenge|verzehrempfehlung"
                         r"|dose journaliere|dose quotidienne|apport journalier)"
                         r"\s?(?:\(|=|:)?\s?(?:bedraagt |is |ist |est |de )?$")
# sentences that are not about the adult dose
_OTHER_PEOPLE = re.compile(r"kind|child|enfant|pregnan|zwanger|schwanger|enceinte|grossesse|allait|stillend"
                           r"|nursing|breastfeed|borstvoeding|zogende|baby|infant|nourrisson|senior")
_ADULT = re.compile(r"volwassen|adult|erwachsene")
_NO_DIRECTION = re.compile(r"per container|per verpakking|per packung|par boite|par flacon|per pot|inhalt"
                           r"|netto|net weight|contents|contenu|poids net|nettofullmenge")

# ---------------------------------------------------------------- table headers ("Per capsule", ...)
# "pet" is how OCR often reads "per"
_PER = (r"(?:amount |hoeveelheid |menge |quantite )?"
        r"(?:per|pet|pro|par|pour|each|elke|iedere|jede[rsn]?|chaque|je)\s")
_DAY_HEADER = (r"(?:aanbevolen |empfohlene[rn]? |recommended )?"
               r"(?:dag(?:elijkse )?\s?(?:dosis|dosering|portie|hoeveelheid)|dagdosis|dagdosering|dagportie"
               r"|tagesdosis|tagesportion|tagesverzehr\w*|verzehrempfehlung|tagliche verzehrsmenge"
               r"|dose journaliere(?: recommandee)?|portion journaliere|jour|day|dag|tag"
               r"|daily (?:dose|serving|portion|intake)|dj)")
_SERVING_HEADER = r"(?:serving|portie|portion|dosis|dose|dosering|inname)"
# the day-dose phrases, for the OCR correction's vocabulary ("dagdoserin" is "dagdosering")
DAY_DOSE_PHRASES = (_DAY_HEADER, _DAILY_DOSE_WORD.pattern)
_COUNTABLE = "|".join(p for p, _ in UNIT_WORDS[:9])  # capsule ... ampoule: not servings or measures
_COUNTED_UNIT = rf"(?:(?P<hn>\d+|{_NUM_WORD})\s)?(?:[a-z]{{3,}}\s)?(?P<hu>{_COUNTABLE})"
HEADER_RE = re.compile(
    rf"(?<![\w])(?:{_PER}(?:(?P<day>{_DAY_HEADER})|(?P<serving>{_SERVING_HEADER})|{_COUNTED_UNIT}"
    r"|(?P<hundred>100\s?(?:g|ml)))"
    rf"|(?P<day2>daily dose|dagdosis|dagdosering|tagesdosis|dose journaliere))(?![\w])"
)
# a day-dose word inside brackets: "(dagdosering)", "(2 capsules per day)"; the brackets are checked
# around each word found (a regex from every "(" would rescan the rest of a line of unclosed brackets)
_DAY_WORD = re.compile(r"(?<!\w)(?:dagdosis|dagdosering|dagelijkse dosis|daily dose|per day"
                       r"|tagesdosis|dose journaliere|par jour|pro tag|per dag)\b")
_COUNT_IN_BRACKETS = re.compile(rf"\(\s?(?P<n>\d+|{_NUM_WORD})\s(?:[a-z]{{3,}}\s)?(?P<u>[a-z.]+)")
_PROSE_VERB = re.compile(r"\b(?:neem|take|nehmen|einnehmen|prendre|verzehren|innemen|gebruik|slik|swallow"
                         r"|dissolve|los|losen|diluer|melanger|mix)\b")


@dataclass(frozen=True)
class BasisHeader:
    """What a table header line says the amounts below are per: "Per 2 capsules (dagdosering)"."""

    basis: Basis | None  # unit | serving | day; None for "per 100 g" columns (not usable)
    units: float | None = None  # 2 for "Per 2 capsules"
    unit: str | None = None  # normalised unit word
    start: int = 0  # span in the line
    end: int = 0


def unit_word(word: str) -> str | None:
    """Normalised English unit for a printed unit word ("Kapseln" -> "capsule"), else None."""
    w = fold_keep_offsets(word.strip()).lower()
    for pattern, unit in UNIT_WORDS:
        if re.fullmatch(pattern, w):
            return unit
    return None


def _count_value(token: str | None) -> float | None:
    if token is None:
        return None
    t = token.strip()
    if t in ("|", "l", "i", "!", "\\", "]"):
        return 1.0
    if t in NUMBER_WORDS:
        return float(NUMBER_WORDS[t])
    return parse_number(t)


def parse_basis_headers(line: str) -> list[BasisHeader]:
    """The basis columns a table header line announces ("Per capsule · Par gélule", "Amount Per Serving",
    "Pro Tagesdosis (2 Kapseln)"); empty when the line is not a header (e.g. it carries a mass amount)."""
    folded = fold_keep_offsets(line)
    if len(folded.split()) > 12 or _outside_brackets_mass(line) or _PROSE_VERB.search(folded):
        return []  # a row with its amount, or a direction ("Neem elke dag een capsule")
    day_note = _day_in_brackets(folded)
    headers: list[BasisHeader] = []
    for m in HEADER_RE.finditer(folded):
        if not headers and not _header_lead(folded[:m.start()]):
            return []
        if m.group("hundred"):
            headers.append(BasisHeader(None, start=m.start(), end=m.end()))
        elif m.group("day2") and folded[:m.start()].rstrip().endswith("("):
            continue  # "(dagdosering)" qualifies the column before it
        elif m.group("day") or m.group("day2"):
            units, unit = _bracket_count(folded, m.end())
            headers.append(BasisHeader("day", units, unit, m.start(), m.end()))
        elif m.group("serving"):
            units, unit = _bracket_count(folded, m.end())
            headers.append(BasisHeader("serving", units, unit, m.start(), m.end()))
        else:
            n = _count_value(m.group("hn")) or 1.0
            unit = unit_word(m.group("hu"))
            basis: Basis = "day" if day_note else ("unit" if n == 1 else "serving")
            headers.append(BasisHeader(basis, n, unit, m.start(), m.end()))
    return _dedupe_bilingual(headers)


def _header_lead(before: str) -> bool:
    """Only a few words (no numbers) may precede a header phrase: "Inhaltsstoff pro Kapsel", "NL: Per"."""
    return len(before.split()) <= 3 and not re.search(r"\d", before)


def _dedupe_bilingual(headers: list[BasisHeader]) -> list[BasisHeader]:
    """"Per capsule · Par gélule" is one column printed in two languages."""
    out: list[BasisHeader] = []
    for h in headers:
        if out and out[-1].basis == h.basis and out[-1].units == h.units and out[-1].unit == h.unit:
            continue
        out.append(h)
    return out


def _bracket_count(folded: str, pos: int) -> tuple[float | None, str | None]:
    m = _COUNT_IN_BRACKETS.match(folded, pos) or _COUNT_IN_BRACKETS.match(folded, pos + 1)
    if not m:
        return None, None
    unit = unit_word(m.group("u"))
    return (_count_value(m.group("n")), unit) if unit else (None, None)


def _day_in_brackets(folded: str) -> bool:
    """Is a day-dose word printed inside brackets (an open "(" before it, a ")" after it, or the end of
    the line: OCR loses a closing bracket at the line's end)?"""
    for m in _DAY_WORD.finditer(folded):
        opened = folded.rfind("(", 0, m.start()) > folded.rfind(")", 0, m.start())
        if opened and (folded.find(")", m.end()) >= 0 or not folded[m.end():].strip(" .:;-")):
            return True
    return False


def _bracket_spans(line: str) -> list[tuple[int, int]]:
    r"""Spans of "(...)" as re.finditer(r"\([^)]*\)") finds them, in one pass."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (start := line.find("(", pos)) >= 0 and (end := line.find(")", start)) >= 0:
        spans.append((start, end + 1))
        pos = end + 1
    return spans


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    k = bisect.bisect_right(spans, (pos, math.inf))
    return k > 0 and spans[k - 1][0] <= pos < spans[k - 1][1]


def _outside_brackets_mass(line: str) -> bool:
    """A mass outside brackets makes a line a row, not a header ("per 100 g" columns excepted)."""
    depth_spans = _bracket_spans(line)
    folded = fold_keep_offsets(line)
    for amount, start, _ in find_amounts(line):
        if amount.unit not in ("mg", "g", "ug", "ml") or _inside(depth_spans, start):
            continue
        if not re.search(r"(?:per|pro|par|pour|je)\s$", folded[max(0, start - 6):start]):
            return True
    return False


# ---------------------------------------------------------------- sentences
_HEADING_WORD = re.compile(r"[A-ZÀ-Ý][\w'’\-]*")  # "Gebruik", "Verzehrempfehlung"


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of sentences: lines wrapped inside a sentence are joined, a sentence ends at . ! ? ; or a
    line that starts a new block (capital letter after a line without final punctuation is a heading)."""
    spans: list[tuple[int, int]] = []
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    start: int | None = None
    prev_start = prev_end = 0  # the last non-blank line
    for ls, le in lines:
        line = text[ls:le].strip()
        if not line:
            continue
        if start is not None:
            # only the last line of the sentence so far decides (a one-word heading is a sentence of one line)
            prev = text[prev_start:prev_end].rstrip()
            heading = start == prev_start and _HEADING_WORD.fullmatch(prev) is not None  # "Gebruik"
            continues = (not heading and prev[-1] not in ".!?:;"
                         and re.match(r"[a-zà-ÿ0-9(|]", line) is not None)
            if not continues:
                spans.extend(_split_inline(text, start, prev_end))
                start = ls
        else:
            start = ls
        prev_start, prev_end = ls, le
    if start is not None:
        spans.extend(_split_inline(text, start, prev_end))
    return spans


_SENTENCE_END = re.compile(r"(?<!\b[A-Za-z])(?<!\bca)(?<!\btgl)(?<!\bmrd)(?<!\bmax)(?<!\bmin)(?<!\bcaps)"
                           r"(?<!\bsubsp)(?<!\bspp)(?<!\bbzw)(?<!\bz\.b)[.!?;](?=\s+[A-ZÀ-Ý0-9\"(])")


def _split_inline(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    s = start
    for m in _SENTENCE_END.finditer(text, start, end):
        out.append((s, m.end()))
        s = m.end()
        while s < end and text[s].isspace():
            s += 1
    if s < end:
        out.append((s, end))
    return [(a, b) for a, b in out if text[a:b].strip()]


# ---------------------------------------------------------------- directions
@dataclass
class _Reading:
    """What one sentence says about the daily use."""

    units_day: tuple[float | None, float] | None = None
    servings: tuple[float, float] | None = None
    per_serving: float | None = None
    unit: str | None = None
    limit_only: bool = False


@dataclass
class _Count:
    lo: float
    hi: float
    unit: str
    start: int
    end: int


_ONE_MISREAD = (4.0, 7.0)  # digits OCR reads for a 1
_RESTATED = re.compile(r"\s?\(\s?")  # between a count and a second one in brackets right after it


def _unit_text(m: re.Match[str]) -> str:
    return next(m.group(f"w{i}") for i in range(len(UNIT_WORDS)) if m.group(f"w{i}") is not None)


def _singular(unit: str) -> bool:
    """"capsule", "Kapsel", "gélule", "tablet", "sachet" (not "capsules", "Kapseln", "tabletten")."""
    return not unit.endswith(("s", "n", "x", "beutel", "tropfen", "caps"))


def _counts(folded: str) -> list[_Count]:
    out: list[_Count] = []
    for m in COUNT_RE.finditer(folded):
        lo = _count_value(m.group("n"))
        hi = _count_value(m.group("n2")) if m.group("n2") else lo
        unit = next(u for i, (_, u) in enumerate(UNIT_WORDS) if m.group(f"w{i}") is not None)
        slip = _A_READ_AS_8.fullmatch(m.group("n")) if not m.group("n2") and unit not in _MEASURES else None
        if slip:  # "183 capsules par jour": far too many to take; OCR read the "à" of "1 à 3" as 8
            lo, hi = float(slip.group(1)), float(slip.group(2))
        if lo is None or hi is None or lo <= 0 or hi < lo or lo > 50:
            continue
        if unit in _MEASURES and _SOLVENT.search(folded[max(0, m.start() - 6):m.start()]):
            continue  # "in 200 ml water", "(6 g)": not what is taken
        if lo == hi and lo in _ONE_MISREAD and unit not in _MEASURES and _singular(_unit_text(m)):
            lo = hi = 1.0  # "Take 7 capsule", "4 Kapsel": OCR read the 1 of a singular
        if out and _RESTATED.fullmatch(folded, out[-1].end, m.start()):
            continue  # "2 ml (40 druppels)": the same amount again in other units
        out.append(_Count(lo, hi, unit, m.start(), m.end()))
    return out


def _frequencies(folded: str) -> list[tuple[float, float, int, int]]:
    out = []
    dose_word: list[bool] = []  # searched once, when first needed
    for m in FREQ_RE.finditer(folded):
        daily = DAY_RE.search(m.group(0)) or _day_near(folded, m.end()) or _has_dose_word(folded, dose_word)
        if not daily:
            continue  # "3 times a week" or a bare "2 x"
        if m.group("fe"):
            n = {"once": 1, "twice": 2, "thrice": 3}[m.group("fe")]
            out.append((n, n, m.start(), m.end()))
            continue
        lo = _count_value(m.group("f") or m.group("fwa") or m.group("fw"))
        hi = _count_value(m.group("f2") or m.group("fw")) if (m.group("f2") or m.group("fwa")) else lo
        if lo:
            out.append((lo, hi or lo, m.start(), m.end()))
    for m in TIMES_OF_DAY_RE.finditer(folded):
        n = len(re.findall(_TIME_OF_DAY, m.group(0)))
        out.append((n, n, m.start(), m.end()))
    for m in _EACH_MEAL.finditer(folded):
        out.append((1, 3, m.start(), m.end()))
    return out


def _has_dose_word(folded: str, memo: list[bool]) -> bool:
    if not memo:
        memo.append(_DAILY_DOSE_WORD.search(folded) is not None)
    return memo[0]


def _day_near(folded: str, pos: int) -> bool:
    return DAY_RE.match(folded, pos) is not None or DAY_RE.match(folded, pos + 1) is not None


def _read_sentence(folded: str) -> _Reading | None:
    counts = _counts(folded)
    freqs = _frequencies(folded)
    in_freq = _Cover([(s, e) for _, _, s, e in freqs])
    free_days = [m for m in DAY_RE.finditer(folded) if not in_freq.covers(m.start())]
    countable = [c for c in counts if c.unit not in _MEASURES] or counts
    if not countable:
        if freqs:  # "twice daily" with the serving size printed elsewhere
            lo, hi, _, _ = freqs[0]
            return _Reading(servings=(lo, hi))
        return None
    limit = bool(_LIMIT.search(folded[:countable[0].start]))
    per_each = [c for c in countable if _EACH.search(folded[max(0, c.start - 12):c.start])]
    each = {id(c) for c in per_each}
    day_starts = [d.start() for d in free_days]
    totals = [c for c in countable if id(c) not in each and _near_free_day(folded, c, free_days, day_starts)]
    unit = countable[0].unit
    if freqs:
        f_lo, f_hi = freqs[0][0], freqs[0][1]
        if totals:  # "Täglich 2 Kapseln (morgens und abends je 1 Kapsel)": the total is the daily use
            t = totals[0]
            single = per_each[0] if per_each else None
            if single and single.lo == single.hi:
                ups: float | None = single.lo
            else:
                ups = t.lo / f_lo if t.lo == t.hi and f_lo == f_hi else None
            return _Reading((t.lo, t.hi), (f_lo, f_hi), ups, t.unit, limit)
        c = per_each[0] if per_each else countable[0]
        ups = c.lo if c.lo == c.hi else None
        return _Reading((c.lo * f_lo, c.hi * f_hi), (f_lo, f_hi), ups, c.unit, limit)
    if free_days:
        c = totals[0] if totals else countable[0]
        if c.lo == c.hi:
            return _Reading((c.lo, c.hi), (1, 1), c.lo, c.unit, limit)
        return _Reading((c.lo, c.hi), None, None, c.unit, limit)
    if _PROSE_VERB.search(folded):
        c = countable[0]
        return _Reading(None, None, c.lo if c.lo == c.hi else None, unit, limit)
    return None


def _near_free_day(folded: str, c: _Count, days: list[re.Match[str]], starts: list[int]) -> bool:
    """A day word within three words before or after the count ("täglich 2 Kapseln", "2 caps daily").
    Only the nearest day word on each side can be that close: a farther one has a longer gap."""
    k = bisect.bisect_left(starts, c.end)  # days[k:] start after the count, days[:k] before its end
    near = ([folded[c.end:days[k].start()]] if k < len(days) else []) \
        + ([folded[days[k - 1].end():c.start]] if k else [])
    return any(len(gap.split()) <= 3 and not re.search(r"[.;(]", gap) for gap in near)


class _Cover:
    """Spans (they may overlap) with a fast test of whether any covers a position."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [s for s, _ in spans]
        self.reach: list[int] = []  # the farthest end of the spans so far
        for _, e in spans:
            self.reach.append(max(e, self.reach[-1]) if self.reach else e)

    def covers(self, pos: int) -> bool:
        k = bisect.bisect_right(self.starts, pos)
        return k > 0 and self.reach[k - 1] > pos


def _serving_size(folded: str) -> tuple[float, str] | None:
    for c in _counts(folded):
        if _SERVING_SIZE.search(folded[max(0, c.start - 30):c.start]):
            return c.lo, c.unit
    return None


def _daily_dose_statement(folded: str) -> _Count | None:
    for c in _counts(folded):
        if _DAILY_DOSE.search(folded[max(0, c.start - 45):c.start]):
            return c
    return None


def parse_serving(text: str, ref: ReferenceData | None = None) -> Serving:
    """Serving size and daily use read from the label text (directions, serving size, table headers)."""
    serving = Serving()
    best: tuple[_Reading, str] | None = None
    limit: tuple[_Reading, str] | None = None
    header_day: tuple[float, str, str] | None = None
    size: tuple[float, str] | None = None
    size_evidence: str | None = None
    for start, end in split_sentences(text):
        sentence = " ".join(text[start:end].split())
        folded = fold_keep_offsets(sentence)
        if _OTHER_PEOPLE.search(folded) and not _ADULT.search(folded):
            continue
        if size is None and (size := _serving_size(folded)):
            size_evidence = sentence
        for h in parse_basis_headers(sentence):
            if h.units and h.unit:
                if h.basis == "day":
                    header_day = header_day or (h.units, h.unit, sentence)
                elif h.basis == "serving":
                    size = size or (h.units, h.unit)
        dose = _daily_dose_statement(folded)
        if dose and header_day is None:
            header_day = (dose.hi, dose.unit, sentence)
        if _NO_DIRECTION.search(folded) and not DAY_RE.search(folded):
            continue
        reading = _read_sentence(folded)
        if reading is None:
            continue
        if reading.limit_only:
            limit = limit or (reading, sentence)
        elif best is None or (best[0].units_day is None and reading.units_day is not None):
            best = (reading, sentence)
    if best is None and limit is not None and limit[0].units_day is not None:
        best = (_Reading((None, limit[0].units_day[1]), None, None, limit[0].unit), limit[1])
    if best is None and header_day is not None:
        n, unit, evidence = header_day
        best = (_Reading((n, n), (1, 1), n, unit), evidence)
    if best is not None:
        _apply_reading(serving, *best)
    if size is not None:
        _apply_serving_size(serving, *size)
        serving.evidence = serving.evidence or size_evidence
    for attr in ("units_per_serving", "units_per_day_min", "units_per_day_max",
                 "servings_per_day_min", "servings_per_day_max"):
        value = getattr(serving, attr)
        if value is not None:
            setattr(serving, attr, float(value))
    return serving


def _apply_reading(serving: Serving, reading: _Reading, evidence: str) -> None:
    serving.evidence = evidence
    if reading.unit == "serving":  # "take 1 serving daily": servings, not units
        serving.servings_per_day_min, serving.servings_per_day_max = reading.units_day or (None, None)
        return
    serving.unit = reading.unit
    if reading.units_day is not None:
        serving.units_per_day_min, serving.units_per_day_max = reading.units_day
    if reading.servings is not None:
        serving.servings_per_day_min, serving.servings_per_day_max = reading.servings
    serving.units_per_serving = reading.per_serving


def _apply_serving_size(serving: Serving, units: float, unit: str) -> None:
    """A printed serving size wins over one guessed from the directions; servings/day follow from it."""
    if serving.unit not in (None, unit) and unit != "serving":
        return
    if unit == "serving":
        return
    serving.unit = serving.unit or unit
    serving.units_per_serving = units
    if serving.units_per_day_max is not None:
        lo = serving.units_per_day_min if serving.units_per_day_min is not None else serving.units_per_day_max
        serving.servings_per_day_min = lo / units
        serving.servings_per_day_max = serving.units_per_day_max / units
    elif serving.servings_per_day_max is not None:
        lo = serving.servings_per_day_min or serving.servings_per_day_max
        serving.units_per_day_min = lo * units
        serving.units_per_day_max = serving.servings_per_day_max * units
