"""Find the ingredient list(s), the "may contain" traces and the free-from lines of a label."""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz

from checker.parsing._text import abbreviation_before, blocks, bounded, cached, make_view
from checker.parsing.language import detect_language
from checker.reference import LANGS, ReferenceData
from checker.textnorm import fold, fold_keep_offsets

MAX_LIST_CHARS = 2500
# a list without heading: at least this many items, this share recognised, this many words per item
HEADLESS_MIN_SEPARATORS = 2
HEADLESS_MIN_ITEMS = 3
HEADLESS_KNOWN_SHARE = 0.4
HEADLESS_MAX_ITEM_WORDS = 5
# items read in all while looking for a headless list: a label needs a few dozen; a long text of comma
# paragraphs would otherwise have every block re-read the next MAX_LIST_CHARS as a list
HEADLESS_MAX_ITEMS_READ = 1000
FUZZY_HEADING_SCORE = 85  # rapidfuzz ratio for an OCR-damaged heading word ("lngrcdients")
_LINE = re.compile(r"[^\n]*")
# a line ending in a word that cannot end an item: the next line goes on with the same name
DANGLING = re.compile(r"(?<![a-z])(?:de|d'|du|des|la|le|of|the|van|het|von|der|zur|à|a|and|en|und|et|&|-)$")
_BULLETS = r"[\W_]{0,3}"  # bullets, stars, quotes in front of a heading
_FIRST_WORD = re.compile(r"[\W_]{0,3}([a-z|!1]{6,})(\s*[:;.]|\s*$|\s+\S\s*$)")  # \S: a speck
_SEPARATORS = " \t.·•|/-—–:;"
# a table row: a name, then an amount at the end of the line ("Natriumbutyraat 600 mg")
_VALUE_ONLY = re.compile(r"\s*\d+(?:[.,]\d+)?\s?(?:mg|g|ug|mcg|µg|%|iu|ie|cfu|kve|kbe|ufc)\W*$")
_TABLE_ROW = re.compile(r".*\S\s+\d+(?:[.,]\d+)?\s?(?:mg|g|ug|mcg|µg|%|kcal|kj|iu|ie|cfu|kve|kbe|ufc)\W*$")
_ITEM = re.compile(r"[^,;:.(\n]+")  # a list item up to its separator
_HEADING_SEPARATOR = re.compile(r"[ \t]*[:;.]?[ \t]*(?:[·•|/—–-][ \t]*)?")


@dataclass(frozen=True)
class Section:
    """An ingredient list: source offsets of the list text (heading excluded)."""

    start: int
    end: int
    heading: str
    language: str | None = None


@dataclass(frozen=True)
class _Patterns:
    heading: dict[str, re.Pattern[str]]
    words: dict[str, tuple[str, ...]]
    prefix: re.Pattern[str]  # a language prefix at a position ("fr :"); group 1 is the prefix word
    prefix_before: re.Pattern[str]  # a line start holding only a language prefix ("NL: ")
    prefix_langs: dict[str, str]  # prefix word -> language
    stop: re.Pattern[str]  # another part of the label starts (matched at a line start)
    traces: re.Pattern[str] | None
    free_from: re.Pattern[str] | None
    classes: frozenset[str] = frozenset()  # folded function-class names without spaces ("trennmittel")
    # does a folded item name an additive ("sojalecithin")? (ingredients.find_additive for this reference)
    names_additive: Callable[[str], bool] = lambda item: False


def _build(ref: ReferenceData) -> _Patterns:
    s = ref.sections
    heading = {}
    for lang in LANGS:
        rx = bounded(getattr(s["ingredients"].patterns, lang))
        if rx is not None:
            heading[lang] = rx
    words = {lang: tuple(getattr(s["ingredients_words"].patterns, lang)) for lang in LANGS} \
        if "ingredients_words" in s else {}
    prefix_langs: dict[str, str] = {}
    if "language_prefix" in s:
        for lang in LANGS:
            for pat in getattr(s["language_prefix"].patterns, lang):
                for word in pat.split("|"):
                    prefix_langs[word] = lang
    alternation = "|".join(sorted(map(re.escape, prefix_langs), key=len, reverse=True)) or "(?!)"
    prefix = re.compile(rf"(?<![a-z])({alternation})\s?:")
    prefix_before = re.compile(rf"[\W_]*(?:{alternation})\s?:[\W_]*")
    stop_sets = [s[k].patterns.all() for k in ("stop", "traces", "contains", "free_from") if k in s]
    stop = re.compile(_BULLETS + "(?<![a-z])(?:" + "|".join(f"(?:{p})" for group in stop_sets for p in group)
                      + ")(?![a-z])") if stop_sets else re.compile("(?!)")
    classes = frozenset(re.sub(r"[\s-]", "", fold(n)) for fc in ref.function_classes for n in fc.names.all())
    from checker.parsing.ingredients import find_additive  # ingredients imports this module

    return _Patterns(heading, words, prefix, prefix_before, prefix_langs, stop,
                     bounded(s["traces"].patterns.all()) if "traces" in s else None,
                     bounded(s["free_from"].patterns.all()) if "free_from" in s else None, classes,
                     lambda item: find_additive(item, ref)[0] is not None)


def _patterns(ref: ReferenceData) -> _Patterns:
    return cached(ref, "sections", _build)


# ---------------------------------------------------------------- headings
@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    language: str | None


def _line_bounds(folded: str, pos: int) -> tuple[int, int]:
    start = folded.rfind("\n", 0, pos) + 1
    end = folded.find("\n", pos)
    return start, len(folded) if end < 0 else end


def _heading_hits(text: str, folded: str, p: _Patterns) -> list[_Hit]:
    found: dict[int, _Hit] = {}
    for lang, rx in p.heading.items():
        for m in rx.finditer(folded):
            if not _heading_context(text, folded, m.start(), m.end(), p):
                continue
            old = found.get(m.start())
            same = old is None or old.language == lang
            end = max(m.end(), old.end if old else 0)
            found[m.start()] = _Hit(m.start(), end, lang if same else None)
    for m in _LINE.finditer(folded):
        line_start = m.start()
        w = _FIRST_WORD.match(folded, line_start, m.end())
        if not w or w.start(1) in found or w.start(1) < line_start:
            continue
        lang = _fuzzy_heading(w.group(1), p)
        if lang is not False:
            found[w.start(1)] = _Hit(w.start(1), w.end(1), lang)
    return sorted(found.values(), key=lambda h: h.start)


def _fuzzy_heading(word: str, p: _Patterns) -> str | None | bool:
    langs = {lang for lang, words in p.words.items()
             for w in words if fuzz.ratio(word, w) >= FUZZY_HEADING_SCORE}
    if not langs:
        return False
    return langs.pop() if len(langs) == 1 else None


def _heading_context(text: str, folded: str, start: int, end: int, p: _Patterns) -> bool:
    """A heading starts a line (or follows a sentence end, a separator or a language prefix) and is
    followed by a colon, the end of its line, another heading, or an inline list; a capitalised
    heading with a colon may also stand inside a line ("60 caps Ingredients: ...")."""
    line_start, line_end = _line_bounds(folded, start)
    before, after = folded[line_start:start], folded[end:line_end]
    if text[start].isupper() and re.match(r"\s*:", after):
        return True
    ok_before = (re.fullmatch(r"[\W\d_]*", before) or p.prefix_before.fullmatch(before)
                 or _after_separator(before))
    if not ok_before:
        return False
    rest = after.strip(_SEPARATORS)
    if re.match(r"\s*[:;]", after) or _at_most_a_speck(rest):
        return True
    if any(rx.match(rest) for rx in p.heading.values()):
        return True
    return "," in after and re.fullmatch(r"[\W_]*", before) is not None


def _at_most_a_speck(rest: str) -> bool:
    """Nothing, or one character: a speck OCR put on a heading's line ("Ingredients m")."""
    return len(rest.strip()) <= 1


def _after_separator(before: str) -> bool:
    r"""Does the text before a heading end in a sentence end or a separator ("... ·", "... -")? (What
    re.search(r"(?:[.!?·•|—–]|\s-)\s*$") tells, looking at the end only: a line of many headings stays
    linear.)"""
    tail = before.rstrip()
    return tail[-1:] in tuple(".!?·•|—–") or (tail.endswith("-") and tail[-2:-1].isspace())


# ---------------------------------------------------------------- list extent
def _skip_heading_tail(folded: str, pos: int, p: _Patterns,
                       limit: int | None = None) -> tuple[int, str | None]:
    """Move past ": " after a heading, further headings ("· Ingrédients") and a language prefix; a walk
    that reaches `limit` stops there (no list starts beyond it, and "Zutaten: Zutaten: ..." stays linear)."""
    language = None
    while True:
        pos = _HEADING_SEPARATOR.match(folded, pos).end()
        if limit is not None and pos >= limit:
            return pos, language
        nxt = next((m2 for rx in p.heading.values() if (m2 := rx.match(folded, pos))), None)
        if nxt:
            pos = nxt.end()
            continue
        pm = p.prefix.match(folded, pos)
        if pm:
            language = p.prefix_langs.get(pm.group(1))
            pos = pm.end()
            continue
        break
    line_end = _line_bounds(folded, pos)[1]
    if _at_most_a_speck(folded[pos:line_end]):  # the heading ends its line
        pos = _next_content(folded, line_end)
        pm = p.prefix.match(folded, pos)
        if pm:
            language = p.prefix_langs.get(pm.group(1))
            pos = pm.end()
            while pos < len(folded) and folded[pos] in " \t":
                pos += 1
    return pos, language


def _next_content(folded: str, pos: int) -> int:
    while pos < len(folded) and folded[pos].isspace():
        pos += 1
    return pos


def _ends_sentence(text: str, folded: str, i: int, limit: int) -> bool:
    """A period that ends the list: not after an abbreviation or a single letter ("L.")."""
    if abbreviation_before(folded, i):
        return False
    if i + 1 >= limit or folded[i + 1] == "\n":
        return True
    if folded[i + 1] not in " \t":
        return False
    j = _next_content(folded, i + 1)
    return j >= limit or not text[j].islower()


def _continues(text: str, folded: str, last: int, nxt: int, blanks: int, depth: int, p: _Patterns) -> bool:
    """Does the list go on at line `nxt` (the previous content ended at `last`)?"""
    line = folded[nxt:_line_bounds(folded, nxt)[1]]
    if not blanks and DANGLING.search(folded, max(0, last - 12), last):
        return True  # "agent de" / "charge : cellulose": a name broken over two lines
    if p.stop.match(line) or p.prefix.match(line) or "\t" in text[nxt:nxt + len(line)]:
        return False
    if any(rx.match(line.lstrip(_SEPARATORS)) for rx in p.heading.values()):
        return False  # another list's heading ("Zutaten" read below the list it heads)
    if _TABLE_ROW.match(line) and "," not in line:
        return False
    if blanks:
        return (depth > 0 or folded[last - 1] in ",:(-&" or text[nxt].islower()
                or _ends_on_class(folded, last, p))
    return True


def _ends_on_class(folded: str, last: int, p: _Patterns) -> bool:
    """"..., Trennmittel" and a blank line or a period: a function class without its additive (the colon
    lost or read as a period)."""
    item = re.split(r"[,;:(\n]", folded[max(0, last - 40):last])[-1]
    key = re.sub(r"[\s-]", "", item.strip(" .*"))
    return bool(key) and any(key in (c, c + "en", c + "s", c + "n", c + "e") for c in p.classes)


def _class_colon(folded: str, i: int, limit: int, p: _Patterns) -> bool:
    """Is the period at i an OCR'd colon after a function class, with its additive after it ("Emulgator.
    Sojalecithin, ...")? (Not "..., capsule." at the end of a list.)"""
    if not _ends_on_class(folded, i, p):
        return False
    item = _ITEM.match(folded, _next_content(folded, i + 1), limit)
    return item is not None and p.names_additive(item.group())


def _inline_heading(folded: str, i: int, p: _Patterns) -> bool:
    """A capitalised heading with a colon inside a line ("Directions:", "Verzehrempfehlung:")."""
    m = p.stop.match(folded, i)
    return m is not None and re.match(r"[^\n,;]{0,3}:", folded[m.end():]) is not None


def _table_only(folded: str) -> bool:
    """A "list" that is a nutrient table ("Inhaltsstoffe\nMagnesiumbutyrat 600 mg") or only its value
    column ("600 mg\n400 mg"), not ingredients."""
    return not re.search(r"[,;]", folded) and all(
        _TABLE_ROW.match(line.replace("\t", " ")) or _VALUE_ONLY.match(line)
        for line in folded.splitlines() if line.strip())


def _list_end(text: str, folded: str, start: int, limit: int, p: _Patterns) -> int:
    depth, i, last = 0, start, start
    while i < limit:
        ch = folded[i]
        if ch == "\n":
            j = _next_content(folded, i)
            blanks = folded.count("\n", i, j) - 1
            if j >= limit or not _continues(text, folded, last, j, blanks, depth, p):
                return last
            i = j
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "." and _ends_sentence(text, folded, i, limit):  # "!" and "?" in a list are OCR'd l, I, 1
            newline_next = i + 1 >= limit or folded[i + 1] == "\n"
            if (depth == 0 or newline_next) and not _class_colon(folded, i, limit, p):
                return last
        elif depth == 0 and text[i].isupper() and folded[i - 1] in " \t" and _inline_heading(folded, i, p):
            return last  # two columns read as one line: "... silica   Directions: take ..."
        if not ch.isspace():
            last = i + 1
        i += 1
    return last


# ---------------------------------------------------------------- public
def find_ingredient_sections(text: str, ref: ReferenceData) -> list[Section]:
    """Every ingredient list printed on the label (one per language on multilingual labels)."""
    p = _patterns(ref)
    folded = fold_keep_offsets(text)
    hits = _heading_hits(text, folded, p)
    starts = [h.start for h in hits]
    sections: list[Section] = []
    for n, hit in enumerate(hits):
        if sections and hit.start < sections[-1].end:
            continue
        # hits are sorted by start: the first one at or after this heading's end is the nearest
        k = bisect.bisect_left(starts, hit.end, n + 1)
        limit = min(len(text), hit.start + MAX_LIST_CHARS, *starts[k:k + 1])
        heading = text[hit.start:hit.end]
        start, prefix_lang = _skip_heading_tail(folded, hit.end, p, limit)
        seen: set[str] = set()
        while start < limit:
            end = _list_end(text, folded, start, limit, p)
            if end > start and not _table_only(folded[start:end]):
                lang = prefix_lang or hit.language or detect_language(text[start:end])
                sections.append(Section(start, end, heading, lang))
                seen.add(lang or "")
            nxt = _chained_prefix(folded, end, limit, p, seen) if prefix_lang else None
            if nxt is None:
                break
            start, prefix_lang, heading = nxt[0], nxt[1], text[nxt[2]:nxt[0]].strip()
    return sections


def _chained_prefix(folded: str, end: int, limit: int, p: _Patterns, seen: set[str]) \
        -> tuple[int, str, int] | None:
    """The next language's list right after this one ("NL: ... FR : ..."), if any."""
    pos = end
    while pos < limit and (folded[pos] in _SEPARATORS or folded[pos].isspace()):
        pos += 1
    if folded.count("\n", end, pos) > 2:
        return None
    pm = p.prefix.match(folded, pos)
    if not pm:
        return None
    lang = p.prefix_langs.get(pm.group(1))
    if lang is None or lang in seen:
        return None
    return _next_content(folded, pm.end()), lang, pos


def find_headless_list(text: str, ref: ReferenceData) -> Section | None:
    """An ingredient list whose heading OCR lost: a block of short comma-separated items, most of them
    recognised (additives, function classes, butyrate forms, microorganisms, amounts)."""
    from checker.parsing.ingredients import parse_ingredients  # ingredients imports this module

    p = _patterns(ref)
    folded = fold_keep_offsets(text)
    best: tuple[int, Section] | None = None
    budget = HEADLESS_MAX_ITEMS_READ
    for a, b in blocks(text):
        if len(re.findall(r"[,;]", text[a:b])) < HEADLESS_MIN_SEPARATORS:
            continue
        if budget <= 0:
            break
        start = _next_content(folded, a)
        end = _list_end(text, folded, start, min(len(text), start + MAX_LIST_CHARS), p)
        parsed = parse_ingredients(text, start, end, ref)
        budget -= len(parsed)
        items = [i for i in parsed if i.parent is None]
        known = [i for i in items if i.kind != "other" or i.function or i.e_number or i.amount]
        words = sum(len(i.text.split()) for i in items) / max(1, len(items))
        share = len(known) / max(1, len(items))
        looks_like_list = (len(items) >= HEADLESS_MIN_ITEMS and len(known) >= 2
                           and share >= HEADLESS_KNOWN_SHARE and words <= HEADLESS_MAX_ITEM_WORDS)
        if looks_like_list and (best is None or len(known) > best[0]):
            best = (len(known), Section(start, end, "", detect_language(text[start:end])))
    return best[1] if best else None


def primary_section(sections: list[Section], language: str | None) -> Section | None:
    """The list in the label's main language (else the first printed); the others only confirm it."""
    if not sections:
        return None
    return next((s for s in sections if language and s.language == language), sections[0])


def find_traces(text: str, ref: ReferenceData) -> list[str]:
    """Allergen ids named in "may contain (traces of)" statements, in order of appearance."""
    from checker.parsing.ingredients import find_allergens  # ingredients imports this module

    p = _patterns(ref)
    if p.traces is None:
        return []
    view = make_view(text)
    found: list[str] = []
    for m in p.traces.finditer(view.text):
        clause = view.text[m.end():m.end() + 200]
        stop = re.search(r"[.!?](?: |$)|\n", clause)
        clause = clause[:stop.start()] if stop else clause
        for allergen in find_allergens(clause, ref):
            if allergen not in found:
                found.append(allergen)
    return found


def is_trace_statement(folded: str, ref: ReferenceData) -> bool:
    """Does this (folded) text hold a "may contain" statement ("kann Spuren von Nüssen enthalten")?"""
    p = _patterns(ref)
    return p.traces is not None and p.traces.search(folded) is not None


def is_free_from(folded: str, ref: ReferenceData) -> bool:
    """Does this (folded) text start with a free-from phrase ("sans dioxyde de titane")?"""
    p = _patterns(ref)
    return p.free_from is not None and p.free_from.match(folded.strip(_SEPARATORS)) is not None
