"""Find the mandatory particulars of a food-supplement label by meaning, in four languages."""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from checker.models import PARTICULAR_KEYS, Particular, Serving
from checker.parsing._text import View, bounded, cached, flatten, line_spans, make_view, sentence_spans
from checker.parsing.fuzzy import regex_phrases
from checker.reference import ReferenceData
from checker.textnorm import fold_keep_offsets

MIN_BARE_PACK_COUNT = 5  # "60 capsules" without a cue; "2 capsules" is a dose, not a pack
WINDOW = 60  # how far after a cue its value may be printed
MAX_VALUE = 160

# dates after a best-before cue: 03/2028, 11.2027, 2027-11, 31-12-2027, 12 2027, MAR 2028, mars 2028
DATE = re.compile(
    r"(?<!\d)(?:(?:\d{1,2}[./ -])?(?:0?[1-9]|1[0-2])[./ -](?:20)?\d{2}"
    r"|20\d{2}[./-](?:0?[1-9]|1[0-2])(?:[./-]\d{1,2})?)(?!\d)"
    r"|(?<![a-z])(?:\d{1,2} )?(?:jan|feb|fev|mar|mrt|maa|apr|avr|may|mai|mei|jun|juin|jul|juil|aug|aou|sep"
    r"|oct|okt|nov|dec|dez)[a-z]*\.? (?:20)?\d{2}(?!\d)")
# a lot code right after its cue: "L24-0917", "NB-25-0412", "24B117", "DF2311"
LOT_CODE = re.compile(r"\s?(?:[:.#]|n[o°r]\.?)?\s?(?:[:.#]\s?)?"
                      r"(?P<code>(?=[a-z0-9/.-]*\d)[a-z0-9][a-z0-9/.-]{2,})(?![a-z0-9])")
# a lot mark printed only as "L" + code at a line start or after a separator: "L 24-0917"
# (blanks before the "L" stay on its line: "\s*" from every line start rescans all the blank lines below)
BARE_LOT = re.compile(r"(?:^|(?<=[·|;]\s)|(?<=[·|;])|(?<=\d\s))[^\S\n]*L\s?[-.:]?\s?"
                      r"(?P<code>(?=[A-Z0-9/-]*\d)[A-Z0-9][A-Z0-9/-]{3,})\b", re.MULTILINE)
# how often a serving is taken, said without the serving itself ("use once daily", "3 keer per dag")
FREQUENCY = re.compile(r"(?<![a-z])(?:once|twice|\d+ ?(?:x|times|keer|maal|mal|fois)|(?:ein|zwei|drei)mal)"
                       r" ?(?:a |per |par |pro )?(?:day|daily|dag|daags|taglich|tag|jour)(?![a-z])")
# "label: code" pairs whose label may be an OCR-damaged lot word ("Lomummer: 24B117")
LABELLED_CODE = re.compile(r"(?<![a-z])(?P<cue>[a-z][a-z .-]{4,18}?)\s?:\s?"
                           r"(?P<code>(?=[a-z0-9/.-]*\d)[a-z0-9][a-z0-9/.-]{2,})(?![a-z0-9])")
FUZZY_LOT_SCORE = 80
FUZZY_PHRASE_SCORE = 88  # rapidfuzz partial_ratio of a warning phrase in a sentence read with OCR slips
MIN_FUZZY_PHRASE = 16
MAX_CONCEPT_HITS = 50  # per sentence; keeps a storm of repeated words linear
CHILD_DISTANCE = 60  # chars between a keep-away word and a child word of one children warning
# a warning found by meaning: all concepts of one group (phrase sets of particulars.yaml) in one sentence
# (glare or a cut edge often takes part of the sentence: a negation or a replace word beside "a varied
# and balanced diet" still says it)
DIET_CONCEPTS = (("negation", "diet_quality", "diet_noun", "replace"),
                 ("replace", "diet_quality", "diet_noun"), ("negation", "varied_diet"))
OVERDOSE_CONCEPTS = (("negation", "exceed", "dose"), ("negation", "more_than", "intake", "dose"))
# "see ..." right after a best-before or lot cue, when OCR garbled the place it points to
LOOSE_POINTER = re.compile(r"(?<![a-z])(?:see|zie|siehe|voir)(?: (?:the|de|het|le|la|au|sur|den|die|der))?"
                           r" [a-z]{3,}")
MASS_ONLY = re.compile(r"\d+(?:[.,]\d+)? ?(?:g|mg|ml)")
_CUE_END = re.compile(r"\s?:\s?$")  # "Lot:" with its code printed elsewhere (inkjet, embossed)
# "best before and batch number: <garbled>": a cue (and a few words) ending in a colon
_CUE_COLON = re.compile(r"(?: [a-z]+){0,4} ?: ?\S")
MAX_UNREAD_VALUE = 40
# right after a best-before cue, a date OCR damaged ("fin : 03/2028" read "in 05.202"): digits with a
# separator, after at most a short word
DAMAGED_DATE = re.compile(r"\W{0,3}(?:[a-z]{1,4}\.?\W{0,2})?"
                          r"(?P<d>\d{1,4}[./ -]\d{1,4}(?:[./ -]\d{1,4})?)(?![a-z])")
NET_AMOUNT = re.compile(r"\W{0,4}(?:e\s)?(?P<q>\d+(?:[.,]\d+)?\s?(?:kg|g|gr|gram|grams|ml|cl|l|oz)(?![a-z])"
                        r"(?:\s?=\s?\d+(?:[.,]\d+)?\s?(?:kg|g|ml))?)")
NET_EQUALS = re.compile(r"\s?=\s?\d+(?:[.,]\d+)?\s?(?:kg|g|ml)(?![a-z])")
BARE_MASS = re.compile(r"(?:℮|e)?\s?(?P<n>\d+(?:[.,]\d+)?)\s?(?P<u>kg|g|ml|l|cl)\.?", re.IGNORECASE)
SEGMENT_SPLIT = re.compile(r"\s[·|—–:+»•-]\s|[·|—–]|\s{3,}")  # OCR reads "·" as "-" or ":"
# the estimated sign before a quantity: "℮ 60 g" (OCR: "e 60 g")
ESTIMATED = re.compile(r"(?<![\w,.])(?:℮|e) ?\d+(?:[.,]\d+)? ?(?:g|kg|ml|l|cl)(?![\w])")
MIN_BARE_MASS = 15  # g or ml: a lone "300 g" is a pack; a lone "5 g" is more likely a dose

# business operator: a legal form (case-sensitive) and an address (street + number, postcode)
LEGAL_FORM = re.compile(  # not the letters of a Dutch postcode ("1234 AB")
    r"(?<![\w&])(?<!\d\d\d\d )"
    r"(?:B\.\s?V\.?|BV|N\.\s?V\.?|NV|BVBA|VOF|GmbH(?: & Co\.? KG)?|AG|KG|UG|e\.\s?K\.|OHG|SAS|SASU|"
    r"SARL|EURL|S\.A\.S\.?|S\.A\.R\.L\.?|S\.A\.?|SA|SRL|S\.r\.l\.|SpA|S\.p\.A\.|Ltd\.?|Limited|LLC|L\.L\.C\.|"
    r"Inc\.?|Corp\.?|plc|PLC|A/S|ApS|S\.L\.|Sp\. z o\.o\.|"
    # the other EU/EEA member states: PT, NO/SE/FI, CZ/SK, HU, SI/HR, EE, LV, LT
    r"Lda\.?|AS|ASA|AB|Oy|Oyj|s\.\s?r\.\s?o\.|a\.\s?s\.|Kft\.?|Zrt\.?|d\.\s?o\.\s?o\.|OÜ|SIA|UAB)(?![\w])")
STREET = re.compile(  # (?<!...) keeps long words and digit runs linear
    r"(?i:(?<!\w)\w*(?:straat|laan|weg|kade|plein|gracht|dijk|singel|steenweg|dreef|baan|lei|markt|park|hof|"
    r"strasse|straße|str\.|gasse|allee|platz|ring|damm|ufer|chaussee))\s?\d+"
    r"|(?<!\d)\d+[a-z]?,?\s(?i:rue|avenue|av\.|boulevard|bd|allée|allee|chemin|place|route|impasse|quai|cours|"
    r"street|st\.|road|rd\.|lane|ln\.|drive|dr\.|way|yard|park|court|place|boulevard|blvd|highway|avenue)\b"
    r"|(?<!\d)\d+\s(?:[NSEW]\.?\s)?[A-Z][\w.]*\s(?i:street|st\.?|road|rd\.?|avenue|ave\.?|lane|drive|dr\.?|way|yard|blvd)\b"
    r"|\b(?i:unit|suite|postbus|postfach|bp|boîte postale|po box)\s?\d+"
    r"|\b(?:Am|An der|Im|In der|Auf der|Zum|Zur)\s[A-ZÄÖÜ][\w-]+\s\d+"
    # at most six capitalised words before "Road": an unbounded run rescans a line of capitalised words
    r"|\b[A-Z][a-zà-ÿ]+(?:[- ][A-Z][a-zà-ÿ]+){0,5}\s(?i:road|street|lane)\b")
_NL_POSTCODE = r"\b\d{4}\s?[A-Z]{2}\b"
_CONTINENTAL_POSTCODE = r"\b(?:[A-Z]-)?\d{4,5}\s[A-ZÄÖÜÉ][a-zà-ÿ]"  # BE/DE/FR/AT/CH + city
# any street name followed by its number and the postcode: "Oude Haven 3, 4301 AM Zierikzee"
NUMBER_THEN_POSTCODE = re.compile(rf"\b[A-ZÄÖÜ][\w'-]+\s\d{{1,4}}[a-z]?,\s?"
                                  rf"(?:{_NL_POSTCODE}|{_CONTINENTAL_POSTCODE})")
POSTCODE = re.compile(
    rf"{_NL_POSTCODE}|{_CONTINENTAL_POSTCODE}"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"  # UK
    r"|\b[A-Z]{2}\s\d{5}(?:-\d{4})?\b")  # US
def _country(text: str, ref: ReferenceData, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """A country name of reference/ (capitals as printed for "UK", "USA"; accents optional for the others)."""
    stop = len(text) if end is None else end
    printed, folded = cached(ref, "countries", _country_patterns)
    return printed.search(text, start, stop) or folded.search(fold_keep_offsets(text), start, stop)


def _country_patterns(ref: ReferenceData) -> tuple[re.Pattern[str], re.Pattern[str]]:
    names = ref.particulars["countries"].patterns.all() if "countries" in ref.particulars else []
    short = {n.upper() for n in names if len(n) <= 3 or "." in n}
    long = {n for n in names if n.upper() not in short}
    return (re.compile(r"\b(?:" + _alternation(short) + r")(?!\w)"),
            re.compile(r"\b(?:" + _alternation(long) + r")\b"))


def _alternation(names: set[str]) -> str:
    return "|".join(map(re.escape, sorted(names, key=len, reverse=True))) or "(?!)"


@dataclass(frozen=True)
class _Sets:
    phrase: dict[str, re.Pattern[str] | None]


def _build(ref: ReferenceData) -> _Sets:
    return _Sets({key: bounded(ps.patterns.all()) for key, ps in ref.particulars.items()})


def _rx(ref: ReferenceData, key: str) -> re.Pattern[str] | None:
    return cached(ref, "particulars", _build).phrase.get(key)


def product_name_end(text: str, ref: ReferenceData) -> int | None:
    """Where in `text` "food supplement with" (the category named with what the product is made of) ends."""
    rx = _rx(ref, "product_name")
    view = make_view(text)
    m = rx.search(view.text) if rx is not None else None
    return view.span(m.start(), m.end())[1] if m else None


@dataclass(frozen=True)
class _Unit:
    """A sentence (or table row, heading) with its matching view."""

    start: int
    end: int
    view: View


_OPEN_END = re.compile(r"[^.!?:;)\]]\s*$")


def _units(text: str) -> list[_Unit]:
    return [_Unit(a, b, make_view(text, a, b)) for a, b in sentence_spans(text)]


def _joined(text: str, units: list[_Unit]) -> list[_Unit]:
    """The units, each followed by itself joined with the next when it has no closing mark: OCR breaks
    a sentence where a glare spot or a misread word made a line look like a heading ("Außerhalb der
    Reichweite von kleinen" / "Kindern lagern")."""
    out: list[_Unit] = []
    for u, nxt in itertools.zip_longest(units, units[1:]):
        out.append(u)
        if nxt is not None and _OPEN_END.search(u.view.text):
            out.append(_Unit(u.start, nxt.end, make_view(text, u.start, nxt.end)))
    return out


def _clip(s: str) -> str:
    s = flatten(s)
    return s if len(s) <= MAX_VALUE else s[:MAX_VALUE - 1].rstrip() + "…"


# ---------------------------------------------------------------- concepts
def _concept(ref: ReferenceData, key: str, t: str) -> list[re.Match[str]]:
    rx = _rx(ref, key)
    return list(itertools.islice(rx.finditer(t), MAX_CONCEPT_HITS)) if rx else []


def _all_concepts(ref: ReferenceData, groups: tuple[tuple[str, ...], ...]) -> Callable[[str], bool]:
    """A test of one sentence: does it hold every concept of one of the groups (in any order)?"""
    def test(t: str) -> bool:
        return any(all(_rx(ref, key) is not None and _rx(ref, key).search(t) for key in group)
                   for group in groups)
    return test


def _children_spans(ref: ReferenceData, t: str) -> list[tuple[int, int]]:
    """Spans from a keep-away word to a child word close to it ("hors de la portée des enfants",
    "Kindern unzugänglich", "Keep away from young children")."""
    away, kids = _concept(ref, "keep_away", t), _concept(ref, "child", t)
    return [(min(a.start(), k.start()), max(a.end(), k.end())) for a in away for k in kids
            if k.start() - a.end() <= CHILD_DISTANCE and a.start() - k.end() <= CHILD_DISTANCE]


def _storage_concept(ref: ReferenceData, t: str) -> bool:
    """A storage verb and a storage condition outside any children warning in one sentence ("Conserver
    à l'abri de l'humidité" read as "Conserverà Fabride lalumière et de l'humidité")."""
    if not _concept(ref, "store_verb", t):
        return False
    spans = _not_storage(ref, t)
    return any(all(not (a < m.end() and m.start() < b) for a, b in spans)
               for m in _concept(ref, "storage_condition", t))


def _not_storage(ref: ReferenceData, t: str) -> list[tuple[int, int]]:
    """Where a storage phrase does not count: the children warning; the whole sentence when it holds a
    children warning and no storage condition outside it ("À conserver hors de portée des enfants")."""
    rx = _rx(ref, "children_warning")
    spans = [*(m.span() for m in (rx.finditer(t) if rx else ())), *_children_spans(ref, t)]
    if spans and not any(all(not (a < m.end() and m.start() < b) for a, b in spans)
                         for m in _concept(ref, "storage_condition", t)):
        return [(0, len(t))]
    return spans


# ---------------------------------------------------------------- plain phrases
def _phrase(units: list[_Unit], rx: re.Pattern[str] | None, *,
            avoid: Callable[[str], list[tuple[int, int]]] | None = None,
            concept: Callable[[str], bool] | None = None, fuzzy: tuple[str, ...] = ()) -> Particular:
    """The first sentence the phrase regex matches or that holds the concepts of the meaning; else one
    that holds one of the `fuzzy` phrases with a few OCR slips ("... should not be used ae substitute
    for a varied ...")."""
    for u in units:
        t = u.view.text
        spans = avoid(t) if avoid is not None and rx is not None else []
        hit = rx is not None and any(not any(a < m.end() and m.start() < b for a, b in spans)
                                     for m in rx.finditer(t))
        if hit or (concept is not None and concept(t)):
            return Particular(True, None, _clip(u.view.source[u.start:u.end]))
    if rx is None:
        return Particular(False)
    for u in units if fuzzy else ():
        if len(u.view.text) >= MIN_FUZZY_PHRASE and process.extractOne(
                u.view.text, fuzzy, scorer=fuzz.partial_ratio, score_cutoff=FUZZY_PHRASE_SCORE):
            return Particular(True, None, _clip(u.view.source[u.start:u.end]))
    return Particular(False)


def _fuzzy_phrases(ref: ReferenceData, key: str) -> tuple[str, ...]:
    """Literal phrases spelled out by the key's regexes, a few per regex (its shortest, longest and two
    between), for the OCR-tolerant comparison."""
    def build(r: ReferenceData) -> tuple[str, ...]:
        out: list[str] = []
        for pattern in r.particulars[key].patterns.all() if key in r.particulars else ():
            phrases = sorted(regex_phrases(pattern, MIN_FUZZY_PHRASE), key=len)
            picks = {0, len(phrases) // 3, 2 * len(phrases) // 3, len(phrases) - 1} if phrases else set()
            out += [phrases[i] for i in sorted(picks) if phrases[i] not in out]
        return tuple(out)

    return cached(ref, f"fuzzy-phrases-{key}", build)


# ---------------------------------------------------------------- daily dose
def _daily_dose(units: list[_Unit], ref: ReferenceData, serving: Serving | None) -> Particular:
    """A direction with a per-day quantity; "Serving size: 1 scoop. Use once daily." also counts."""
    direct, quantity, per_day = _rx(ref, "daily_dose"), _rx(ref, "dose_quantity"), _rx(ref, "per_day")
    mass_only: Particular | None = None  # "600 mg per day" counts, but a direction in units comes first
    for n, u in enumerate(units):
        t = u.view.text
        m = direct.search(t) if direct else None
        q = quantity.search(t) if quantity else None
        d = per_day.search(t) if per_day else None
        if not (m or q) and d and FREQUENCY.search(t) and n and quantity:
            q_prev = quantity.search(units[n - 1].view.text)
            if q_prev:
                return Particular(True, units[n - 1].view.original(q_prev.start(), q_prev.end()),
                                  _clip(u.view.source[units[n - 1].start:u.end]))
        if m or (q and d):
            value = u.view.original(q.start(), q.end()) if q else None
            found = Particular(True, value, _clip(u.view.source[u.start:u.end]))
            if m or not MASS_ONLY.fullmatch(q.group()):
                return found
            mass_only = mass_only or found
    if mass_only is not None:
        return mass_only
    if serving is not None and (serving.units_per_day_max or serving.servings_per_day_max):
        return Particular(True, None, serving.evidence)
    return Particular(False)


# ---------------------------------------------------------------- net quantity
def _net_quantity(text: str, units: list[_Unit], ref: ReferenceData) -> Particular:
    cue, count = _rx(ref, "net_quantity"), _rx(ref, "pack_count")
    for u in units:  # a cue: "Netto-inhoud: 60 capsules", "Poids net : 80 g"
        for m in cue.finditer(u.view.text) if cue else ():
            after = u.view.text[m.end():m.end() + WINDOW]
            q = NET_AMOUNT.match(after)
            c = count.match(after.lstrip(" :.-")) if count and not q else None
            if q or c:
                offset = m.end() + (q.start("q") if q else len(after) - len(after.lstrip(" :.-")))
                stop = m.end() + (q.end("q") if q else len(after) - len(after.lstrip(" :.-")) + c.end())
                eq = NET_EQUALS.match(u.view.text, stop)
                stop = eq.end() if eq else stop
                return Particular(True, u.view.original(offset, stop), _clip(u.view.source[u.start:u.end]))
    m = ESTIMATED.search(text)
    if m:
        return Particular(True, m.group(), _clip(m.group()))
    bare = _pack_count(units, ref)
    return bare if bare.present else _bare_mass(text)


def _pack_count(units: list[_Unit], ref: ReferenceData) -> Particular:
    count, per_context, per_day = _rx(ref, "pack_count"), _rx(ref, "per_context"), _rx(ref, "per_day")
    if count is None:
        return Particular(False)
    ctx = re.compile(f"(?:{per_context.pattern})\\W*$") if per_context else None
    for u in units:
        t = u.view.text
        if per_day and per_day.search(t):
            continue
        for m in count.finditer(t):
            number = next((g for g in m.groups() if g), None)
            if number is None or int(number) < MIN_BARE_PACK_COUNT:
                continue
            if ctx and ctx.search(t[max(0, m.start() - 30):m.start()]):
                continue
            stop = m.end()
            tail = re.match(r" (?:de|of|van|a|à|zu|je|x) \d+(?:[.,]\d+)? ?(?:g|mg|ml)(?![a-z])", t[stop:])
            stop += tail.end() if tail else 0
            return Particular(True, u.view.original(m.start(), stop), _clip(u.view.source[u.start:u.end]))
    return Particular(False)


def _bare_mass(text: str) -> Particular:
    """"Voedingssupplement · citroensmaak · 300 g": a mass standing alone as a segment of a line."""
    for a, b in line_spans(text):
        line = text[a:b]
        if "\t" in line:
            continue
        for seg in SEGMENT_SPLIT.split(line):
            seg = seg.strip()
            m = BARE_MASS.fullmatch(seg)
            big = m and (m.group("u").lower() in ("kg", "l")
                         or float(m.group("n").replace(",", ".")) >= MIN_BARE_MASS)
            if big:
                return Particular(True, seg.rstrip("."), _clip(line))
    return Particular(False)


# ---------------------------------------------------------------- best before and lot
def _pointer_in(rx: re.Pattern[str] | None, view: View, start: int, end: int) -> str | None:
    m = rx.search(view.text, start, end) if rx else None
    if m is None:  # "siehe Seltentanche": the place is unreadable, the pointer is not
        m = LOOSE_POINTER.search(view.text, start, end)
    return view.original(m.start(), m.end()) if m else None


def _cue_then_colon(t: str, m: re.Match[str]) -> bool:
    """A cue opening its sentence, a colon and a short unreadable value ("Best before and batch number:
    86° pase of pa k"): present; not "agent de charge : cellulose, ..." inside a list."""
    c = _CUE_COLON.match(t, m.end())
    return (c is not None and not t[:m.start()].strip(" .·|-") and "," not in t[c.end():]
            and len(t) - c.end() <= MAX_UNREAD_VALUE)


def _best_before(units: list[_Unit], ref: ReferenceData) -> Particular:
    cue, pointer = _rx(ref, "best_before"), _rx(ref, "pointer")
    for u in units:
        t = u.view.text
        for m in cue.finditer(t) if cue else ():
            stop = min(len(t), m.end() + WINDOW)
            date = DATE.search(t, m.end(), stop)
            value = u.view.original(date.start(), date.end()) if date else \
                _pointer_in(pointer, u.view, m.end(), stop) or _pointer_in(pointer, u.view, 0, m.start())
            damaged = DAMAGED_DATE.match(t, m.end()) if not value else None
            value = value or (u.view.original(damaged.start("d"), damaged.end("d")) if damaged else None)
            if value or _CUE_END.match(t[m.end():]) or _cue_then_colon(t, m):
                return Particular(True, value, _clip(u.view.source[u.start:u.end]))
    return Particular(False)


def _lot(text: str, units: list[_Unit], ref: ReferenceData) -> Particular:
    cue, pointer = _rx(ref, "lot"), _rx(ref, "pointer")
    for u in units:
        t = u.view.text
        for m in cue.finditer(t) if cue else ():
            code = LOT_CODE.match(t, m.end())
            stop = min(len(t), m.end() + WINDOW)
            value = u.view.original(code.start("code"), code.end("code")) if code else \
                _pointer_in(pointer, u.view, m.end(), stop) or _pointer_in(pointer, u.view, 0, m.start())
            if value or _CUE_END.match(t[m.end():]) or _cue_then_colon(t, m):
                return Particular(True, value, _clip(u.view.source[u.start:u.end]))
    m = BARE_LOT.search(text)
    if m:
        return Particular(True, m.group("code"), _clip(m.group()))
    return _fuzzy_lot(units, ref)


def _fuzzy_lot(units: list[_Unit], ref: ReferenceData) -> Particular:
    words = [w.replace(" ", "") for w in ref.particulars["lot_words"].patterns.all()] \
        if "lot_words" in ref.particulars else []
    for u in units:
        for m in LABELLED_CODE.finditer(u.view.text):
            # the cue's last word or two: it may start with the words before it ("zie zijkant Lomummer")
            parts = re.split(r"[ -]+", m.group("cue").strip(" -"))
            cues = ["".join(parts[-k:]) for k in range(1, min(2, len(parts)) + 1)]
            if words and max(fuzz.ratio(cue, w) for cue in cues for w in words) >= FUZZY_LOT_SCORE:
                code = u.view.original(m.start("code"), m.end("code"))
                return Particular(True, code, _clip(u.view.source[u.start:u.end]))
    return Particular(False)


# ---------------------------------------------------------------- operator
def _operator(text: str, ref: ReferenceData) -> Particular:
    """A business name with a legal form, or an operator lead-in, followed by an address; or a full
    postal address (street and number, postcode and city) on one line."""
    cue = _rx(ref, "operator")
    lines = line_spans(text)
    for n, (a, b) in enumerate(lines):
        line = text[a:b]
        legal = LEGAL_FORM.search(line)
        lead = cue.search(make_view(text, a, b).text) if cue else None
        full_address = (STREET.search(line) and (POSTCODE.search(line) or _country(line, ref))
                        or NUMBER_THEN_POSTCODE.search(line))
        if not (legal or lead or full_address):
            block = _address_block(text, lines, n)
            if block:
                return Particular(True, _clip(block), _clip(block))
            continue
        start = a + (legal.end() if legal else 0)
        end = lines[min(n + 2, len(lines) - 1)][1]  # the address may run on over two more lines
        signal = STREET.search(text, start, end) or POSTCODE.search(text, start, end) or \
            (_country(text, ref, start, end) if legal else None)
        if signal:
            stop = text.find("\n", signal.end(), end)
            value = text[a:max(b, end if stop < 0 else stop)]
            return Particular(True, _clip(value), _clip(value))
        before = lines[max(0, n - 2)][0]  # the line above, or the one above a blank line
        if legal and POSTCODE.search(text, before, a):  # OCR read the address line before the name
            return Particular(True, _clip(text[before:b]), _clip(text[before:b]))
    return Particular(False)


def _address_block(text: str, lines: list[tuple[int, int]], n: int) -> str | None:
    """"Gezondhuis / Hoofdstraat 99 / 3500 Hasselt": a street line with the postcode and city on the next
    line, and the name (no legal form, no lead-in) on the line before."""
    a, b = lines[n]
    if n + 1 >= len(lines) or not STREET.search(text, a, b):
        return None
    c, d = lines[n + 1]
    if not POSTCODE.match(text[c:d].strip()):
        return None
    first = lines[n - 1][0] if n and text[lines[n - 1][0]:lines[n - 1][1]].strip() else a
    return text[first:d]


# ---------------------------------------------------------------- quality
def find_quality(text: str, ref: ReferenceData) -> tuple[Particular, list[str]]:
    """Independent testing (a mark, scheme or outside laboratory) and the process standards named."""
    view = make_view(text)
    found: Particular | None = None
    standards: list[str] = []
    for mark in ref.quality:
        m = re.search(mark.pattern, view.text)
        if not m:
            continue
        if mark.independent and found is None:
            found = Particular(True, mark.id, view.original(m.start(), m.end()))
        elif not mark.independent and mark.id not in standards:
            standards.append(mark.id)
    if found is None:
        rx = _rx(ref, "independent_testing")
        m = rx.search(view.text) if rx else None
        if m:
            found = Particular(True, view.original(m.start(), m.end()), view.original(m.start(), m.end()))
    return found or Particular(False), standards


# ---------------------------------------------------------------- all
def find_particulars(text: str, ref: ReferenceData, *, has_ingredients: bool,
                     serving: Serving | None = None) -> tuple[dict[str, Particular], list[str]]:
    """Each of PARTICULAR_KEYS -> Particular, and the process standards (GMP, HACCP...) named."""
    units = _units(text)
    joined = _joined(text, units)
    children = _rx(ref, "children_warning")
    testing, standards = find_quality(text, ref)
    found = {
        "ingredients": Particular(has_ingredients),
        "daily_dose": _daily_dose(units, ref, serving),
        "overdose_warning": _phrase(joined, _rx(ref, "overdose_warning"),
                                    concept=_all_concepts(ref, OVERDOSE_CONCEPTS),
                                    fuzzy=_fuzzy_phrases(ref, "overdose_warning")),
        "diet_statement": _phrase(joined, _rx(ref, "diet_statement"),
                                  concept=_all_concepts(ref, DIET_CONCEPTS),
                                  fuzzy=_fuzzy_phrases(ref, "diet_statement")),
        "children_warning": _phrase(joined, children, concept=lambda t: bool(_children_spans(ref, t)),
                                    fuzzy=_fuzzy_phrases(ref, "children_warning")),
        "net_quantity": _net_quantity(text, units, ref),
        "best_before": _best_before(units, ref),
        "lot": _lot(text, units, ref),
        "operator": _operator(text, ref),
        "storage": _phrase(joined, _rx(ref, "storage"), avoid=lambda t: _not_storage(ref, t),
                           concept=lambda t: _storage_concept(ref, t), fuzzy=_fuzzy_phrases(ref, "storage")),
        "independent_testing": testing,
    }
    return {key: found[key] for key in PARTICULAR_KEYS}, standards

