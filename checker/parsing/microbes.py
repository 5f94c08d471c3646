"""Recognise a microorganism (genus, species, strain code) and its live/inactivated state in text."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz.distance import Levenshtein

from checker.models import State
from checker.parsing._text import memo
from checker.parsing.amounts import find_amounts
from checker.reference import ReferenceData
from checker.textnorm import fold, fold_keep_offsets

# culture collections whose codes are written "DSM 17938", "LMG P-12345", "CNCM I-1234"
_COLLECTION = (r"(?:DSMZ?|ATCC|LMG|CNCM|NCIMB|NCFB|CECT|KCTC|KCCM|KACC|NRRL|JCM|BCRC|CGMCC|CCTCC|NCTC|NBRC"
               r"|FERM|NITE|CBS|MTCC|CIP|IDCC|NCDO|PTA)")
STRAIN_CODE = re.compile(
    rf"{_COLLECTION}\s?(?:[A-Z]{{1,3}}\s?-?\s?)?\d+[A-Za-z]?"  # DSM 17938, CNCM I-1234, ATCC PTA 6475
    r"|[A-Za-z]{1,6}-?\d+[A-Za-z0-9]*(?:-\d+[A-Za-z]?)?"  # L-137, BB-12, HKB-6, R0011, Lp299v, UALp-05
    r"|[A-Z]{1,3} [A-Z]{1,3}-\d+[A-Za-z]?(?![\w-])"  # "HK B-6": OCR split the letters of the code
    r"|\d{2,}[A-Za-z]{0,2}(?:-\d+)?"  # 299v, 35624
    r"|[A-Z]{2,5}(?![a-z])"  # GG, NCFM
    r"|Shirota"
)
# what may stand between the species and its code: a space, an opening bracket, a "strain" word
_STRAIN_LEAD = re.compile(r"[ \t]{1,3}(?:\([ \t]?)?(?:(?:strain|stam|stamm|souche)[ \t]?:?[ \t]?)?"
                          r"|\([ \t]?(?:(?:strain|stam|stamm|souche)[ \t]?:?[ \t]?)?", re.IGNORECASE)
_CLOSE = re.compile(r"[ \t]?\)")
# tokens that look like codes but are language tags, units or the like
_NOT_STRAIN = frozenset("NL FR DE EN EU UK CFU KVE KBE UFC IU UI IE MG HK HPMC GMP ISO AND UND ET OF".split())
# lower-case words that follow a genus but are not a species epithet
_NOT_EPITHET = frozenset("""and en und et or of oder ou with met mit avec sp spp species strain strains stam
    stammen stamm stamme souche souches culture cultures cultuur kulturen bacteria bacterien bakterien
    bacteries ferment fermentate lysate lysaat lysat powder poeder pulver poudre extract extrakt extrait
    complex blend mix mengsel mischung melange is ist est zijn sind sont the de der die das la le les
    van von du des
    a to in per pro par pour bij bei dans heat hitte hitze killed gedood gedode inactive inactivated
    inactivee inactives inactief inaktiviert probiotic probiotica probiotique postbiotic postbiotica
    postbiotique""".split())
_EPITHET_AFTER = re.compile(r"\s{0,3}([a-z][a-z\-]{2,})\b")
_ABBREV = re.compile(r"\b(?P<abbr>[A-Z][a-z]{0,3})\.\s?(?P<epithet>[a-z]{3,})\b")
# the period of "L. rhamnosus" lost by OCR: one capital, then an epithet the reference knows for that initial
_ABBREV_NO_DOT = re.compile(r"\b(?P<abbr>[A-Z]) (?P<epithet>[a-z]{4,})\b")
_SUBSP = re.compile(r"\s(?:subsp|ssp|var)\.?\s(?P<sub>[a-z]{3,})\b")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+")
_FUZZY_MIN_LEN = 9  # only long genus names are corrected for OCR slips


@dataclass(frozen=True)
class MicrobeMatch:
    """A microorganism named in text: species as printed (abbreviation expanded when unambiguous)."""

    species: str  # "Lactiplantibacillus plantarum", "L. plantarum", or a genus alone "Bifidobacterium"
    strain: str | None  # "L-137", "DSM 17938"; None when no code is printed
    state: State  # live | inactivated | unstated
    start: int  # span of the name (and strain) in the text given
    end: int
    genus: str  # genus as recognised ("Lactobacillus") or the printed abbreviation ("L.")
    epithet: str | None = None  # "plantarum"; None when only the genus is named
    live_count: bool = False  # a CFU count in the same text made it live


T = TypeVar("T")
_CACHE: dict[tuple[int, str], tuple[ReferenceData, object]] = {}


def cached_for(ref: ReferenceData, key: str, build: Callable[[ReferenceData], T]) -> T:
    """Memoise `build(ref)` per reference object (ReferenceData holds dicts, so it is not hashable)."""
    hit = _CACHE.get((id(ref), key))
    if hit is None or hit[0] is not ref:
        hit = (ref, build(ref))
        _CACHE[(id(ref), key)] = hit
    return hit[1]  # type: ignore[return-value]


def _state_patterns(ref: ReferenceData) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    return cached_for(ref, "state", lambda r: (_compile(r.microbes.inactivated.patterns.all()),
                                               _compile(r.microbes.live.patterns.all())))


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    pats = [p for p in patterns if p]
    return re.compile("|".join(f"(?:{p})" for p in pats)) if pats else None


def _genera(ref: ReferenceData) -> dict[str, str]:
    """Folded genus name -> genus as written in the reference."""
    return cached_for(ref, "genera", lambda r: {fold(g): g for g in r.microbes.genera})


def microbe_state(text: str, ref: ReferenceData) -> tuple[State, bool]:
    """State said in `text` (an ingredient, a row, a sentence): a CFU count or a live word -> live,
    an inactivation word -> inactivated; the bool tells whether a CFU count decided it."""
    table = memo(ref, "microbe-state")  # every microbe of one long clause asks about the same clause
    if text not in table:
        table[text] = _microbe_state(text, ref)
    return table[text]


def _microbe_state(text: str, ref: ReferenceData) -> tuple[State, bool]:
    if any(a.unit == "cfu" for a, _, _ in find_amounts(text)):
        return "live", True
    inactivated, live = _state_patterns(ref)
    folded = fold(text)
    if inactivated is not None and inactivated.search(folded):
        return "inactivated", False
    if live is not None and live.search(folded):
        return "live", False
    return "unstated", False


def is_lacto_group(genus: str) -> bool:
    """Lactobacillus and the genera split from it in 2020 (Lactiplantibacillus, Lacticaseibacillus...)."""
    g = fold(genus).rstrip(".")
    return g.startswith("l") and "bacillus" in g


def same_genus(a: str, b: str) -> bool:
    """Two genus spellings that may denote the same organism (old/new names, "L." abbreviations)."""
    fa, fb = fold(a).rstrip("."), fold(b).rstrip(".")
    if fa == fb:
        return True
    if is_lacto_group(fa) and is_lacto_group(fb):
        return True
    short, full = (fa, fb) if len(fa) < len(fb) else (fb, fa)
    return len(short) <= 4 and full.startswith(short)


def find_microbes(text: str, ref: ReferenceData) -> list[MicrobeMatch]:
    """Every microorganism named in `text`, in order, each with the state `text` gives it."""
    folded = fold_keep_offsets(text)
    state, by_count = microbe_state(text, ref)
    found: list[MicrobeMatch] = []
    taken: list[tuple[int, int]] = []
    for genus, g_start, g_end in _genus_mentions(text, folded, ref):
        match = _species_after(text, folded, genus, g_start, g_end, ref)
        if match is None or any(s < match[1] and match[0] < e for s, e in taken):
            continue
        start, end, species, epithet = match
        strain, end = _strain_after(text, end, text[start:end].isupper())
        found.append(MicrobeMatch(species, strain, state, start, end, genus, epithet, by_count))
        taken.append((start, end))
    found.sort(key=lambda m: m.start)
    return found


def parse_microbe(text: str, ref: ReferenceData) -> MicrobeMatch | None:
    """The first microorganism named in `text` (an ingredient, table row or sentence), or None."""
    found = find_microbes(text, ref)
    return found[0] if found else None


def _genus_mentions(text: str, folded: str, ref: ReferenceData) -> list[tuple[str, int, int]]:
    """(genus, start, end) for full genus names (OCR slips in long names corrected) and abbreviations."""
    genera = _genera(ref)
    out: list[tuple[str, int, int]] = []
    for m in _WORD.finditer(text):
        word = folded[m.start():m.end()]
        if word in genera:
            out.append((genera[word], m.start(), m.end()))
        elif len(word) >= _FUZZY_MIN_LEN and text[m.start()].isupper():
            best = min(genera, key=lambda g: Levenshtein.distance(word, g), default=None)
            if best is not None and Levenshtein.distance(word, best) <= (1 if len(word) < 12 else 2):
                out.append((genera[best], m.start(), m.end()))
    for m in _ABBREV.finditer(text):
        if fold(m.group("epithet")) in _NOT_EPITHET:
            continue
        abbr = m.group("abbr") + "."
        out.append((_expand_abbreviation(abbr, ref), m.start(), m.start("abbr") + len(abbr)))
    epithets = _epithets_by_initial(ref)
    for m in _ABBREV_NO_DOT.finditer(text):
        if fold(m.group("epithet")) in epithets.get(m.group("abbr"), ()):
            out.append((_expand_abbreviation(m.group("abbr") + ".", ref), m.start(), m.end("abbr")))
    return out


def _epithets_by_initial(ref: ReferenceData) -> dict[str, frozenset[str]]:
    """Genus initial -> the folded epithets of the reference's species of genera with that initial."""
    def build(r: ReferenceData) -> dict[str, frozenset[str]]:
        table: dict[str, set[str]] = {}
        for species in r.microbes.species:
            genus, _, epithet = species.partition(" ")
            if epithet:
                table.setdefault(genus[:1], set()).add(fold(epithet.split()[0]))
        return {k: frozenset(v) for k, v in table.items()}
    return cached_for(ref, "epithets-by-initial", build)


def _expand_abbreviation(abbr: str, ref: ReferenceData) -> str:
    """"B." -> "Bifidobacterium" when the reference says the abbreviation is unambiguous, else "B."."""
    table = ref.microbes.genus_abbreviations
    genus = table.get(abbr) or table.get(abbr.rstrip("."))
    if genus and fold(genus) in _genera(ref):
        return _genera(ref)[fold(genus)]
    return abbr


def _species_after(text: str, folded: str, genus: str, start: int, end: int,
                   ref: ReferenceData) -> tuple[int, int, str, str | None] | None:
    """Span, species name and epithet of a genus mention; None for an abbreviation without epithet."""
    all_caps = text[start:end].isupper() and len(text[start:end]) > 2
    m = _EPITHET_AFTER.match(folded, end)
    printed = text[m.start(1):m.end(1)] if m else ""
    ok = bool(m) and (printed.islower() or (all_caps and printed.isupper()))
    epithet = m.group(1) if ok else None
    if epithet and (epithet in _NOT_EPITHET or _is_state_word(folded, m.start(1), ref)):
        epithet = None
    if epithet is None:
        if genus.endswith("."):
            return None
        return start, end, genus, None
    stop = m.end(1)
    species = f"{genus} {epithet}"
    sub = _SUBSP.match(folded, stop)
    if sub:
        species += f" subsp. {sub.group('sub')}"
        stop = sub.end()
    return start, stop, species, epithet


def _is_state_word(folded: str, pos: int, ref: ReferenceData) -> bool:
    inactivated, live = _state_patterns(ref)
    return any(p is not None and p.match(folded, pos) for p in (inactivated, live))


def _strain_after(text: str, end: int, all_caps: bool = False) -> tuple[str | None, int]:
    """A strain code printed right after the species ("L-137", "(DSM 17938)"); never a plain word."""
    lead = _STRAIN_LEAD.match(text, end)
    if lead is None or lead.end() == end:
        return None, end
    code = STRAIN_CODE.match(text, lead.end())
    if code is None:
        return None, end
    token = code.group(0)
    after = text[code.end():code.end() + 2]
    if after[:1].isalnum() or (after[:1] == "-" and after[1:].isalpha()):
        return None, end  # the code pattern stopped inside a word ("HEAT-KILLED")
    if all_caps and not any(c.isdigit() for c in token):
        return None, end  # in upper-case print a code needs a digit
    if token.upper() in _NOT_STRAIN or (token.isdigit() and len(token) < 3):
        return None, end
    if _starts_amount(text, code.start()):
        return None, end  # "8 billion CFU", "100 mg" are amounts, not codes
    stop = code.end()
    if "(" in lead.group(0):
        close = _CLOSE.match(text, stop)
        stop = close.end() if close else stop
    return token, stop


def _starts_amount(text: str, pos: int) -> bool:
    return any(start == 0 for _, start, _ in find_amounts(text[pos:pos + 40]))
