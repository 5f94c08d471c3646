"""Find the actives of a label (butyrate forms, microorganisms) with amounts from its tables and sentences."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace

from checker.models import MICROORGANISM, Active, Amount, Basis, Ingredient
from checker.parsing.amounts import find_amounts
from checker.parsing.butyrate import (
    ACID,
    UNSPECIFIED,
    Declaration,
    FormMention,
    drop_unspecified,
    find_butyrate_forms,
    find_declarations,
    match_butyrate_form,
    match_butyrate_forms,
)
from checker.parsing.microbes import MicrobeMatch, find_microbes, microbe_state, same_genus
from checker.parsing.particulars import product_name_end
from checker.parsing.serving import UNIT_WORDS, BasisHeader, parse_basis_headers, split_sentences
from checker.reference import ReferenceData
from checker.textnorm import fold, fold_keep_offsets

__all__ = ["find_actives", "find_declarations", "match_butyrate_form", "match_butyrate_forms"]

_MASSES = ("mg", "g", "ug")
_COUNTS = ("cfu", "cells")
MIN_CUT_EPITHET = 4  # letters left of an epithet cut short ("long") that still name the listed species
DECLARATION_TOLERANCE = 0.03  # a declared butyric acid within 3 % of amount x the form's fraction agrees
# an amount printed with a space between digit groups ("3 600 mg", "1 200 mg")
_GROUPED = re.compile(r"(\d{1,3}) (\d{3}(?:[.,]\d+)?)\s?[a-zµ]+")
# inline basis in a sentence: "600 mg per capsule", "each softgel contains", "per dag"
_PER = r"(?:per|pro|par|pour|each|elke|iedere|jede[rsn]?|chaque|je|in each|in elke|in jeder)\s"
_UNIT_ALT = "|".join(p for p, _ in UNIT_WORDS[:9])
_ADJ = r"(?:[a-z]{3,}\s)?"  # "per vegetarische capsule"
_INLINE_UNIT = re.compile(rf"(?<![\w]){_PER}(?:(?:1|one|een|ein|eine|un|une)\s)?{_ADJ}"
                          rf"(?:{_UNIT_ALT})(?![\w])")
_INLINE_UNITS = re.compile(rf"(?<![\w]){_PER}(?:[2-9]|two|twee|zwei|deux|three|drie|drei|trois)\s{_ADJ}"
                           rf"(?:{_UNIT_ALT})(?![\w])")
# the units as the subject: "2 Kapseln enthalten 250 mg", "1 capsule provides", "2 gélules apportent"
_CONTAIN = (r"\s(?:contains?|provides?|supply|supplies|bevat|bevatten|levert|leveren|enthalt|enthalten"
            r"|liefert|liefern|contient|contiennent|apporte|apportent|fournit|fournissent)(?![\w])")
_SUBJECT_UNIT = re.compile(rf"(?<![\w])(?:1|one|een|ein|eine|un|une)\s{_ADJ}(?:{_UNIT_ALT}){_CONTAIN}")
_SUBJECT_UNITS = re.compile(rf"(?<![\w])(?:[2-9]|two|twee|zwei|deux|three|drie|drei|trois)\s{_ADJ}"
                            rf"(?:{_UNIT_ALT}){_CONTAIN}")
_INLINE_SERVING = re.compile(rf"(?<![\w]){_PER}(?:serving|portie|portion|dosis|dose)(?![\w])")
_INLINE_DAY = re.compile(r"(?<![\w])(?:per dag|per day|a day|daily|dagelijks|taglich|pro tag|am tag"
                         r"|par jour|dagdosis|dagdosering|tagesdosis|dose journaliere|daily dose"
                         r"|/\s?dag|/\s?day|/\s?tag|/\s?jour)(?![\w])")
# a spaced dash too: OCR reads the "·" between a product's name and its pack size as "-"
_CLAUSE_BREAK = re.compile(r";|,\s(?=[^\d\s])|\.\s|\s[·–—-]\s|\|")
_CLAUSE_EDGE = re.compile(r"[;·|]|,\s(?=[^\d\s])|\.\s")
_FILLER = re.compile(r"^[\s:=]*(?:(?:of|de|d'|du|des|van|aan|an|von|der|live|levende|lebende|vivants?|actieve"
                     r"|aktive|zuiver|pure|reines?)\s+){0,2}$")
_HEADER_THEN_ROW = re.compile(r"([^:]{3,60}):\s*(?=\S)")
_LEADING_JUNK = re.compile(r"^[\s\-–•*·|:]+")


# ---------------------------------------------------------------- mentions of actives in the text
@dataclass
class _Mention:
    """One place an active is named: an ingredient, a table row or a sentence."""

    key: str  # form id or "microorganism"
    name: str
    evidence: str
    pos: int
    source: str  # ingredient | row | sentence | inline
    amount: Amount | None = None
    basis: Basis | None = None
    count: Amount | None = None
    declared: Amount | None = None
    microbe: MicrobeMatch | None = None
    state_only: bool = False  # a sentence that only tells the state of a microbe

    @property
    def rank(self) -> int:
        """Which mention's amount wins: table rows, then sentences with a basis, then the ingredient list."""
        return {"row": 0, "sentence": 1, "inline": 2, "ingredient": 3}[self.source]


@dataclass
class _Segment:
    """A table row or a sentence, with the basis its amounts are per."""

    text: str
    start: int  # offset in the label text
    basis: Basis | None
    headers: list[BasisHeader] = field(default_factory=list)
    is_row: bool = False


def _flat(text: str) -> str:
    return " ".join(text.split())


def _clean_name(text: str) -> str:
    return _LEADING_JUNK.sub("", _flat(text)).strip(" ,;:·")


def _ingredient_mentions(ingredients: list[Ingredient], ref: ReferenceData) -> list[_Mention]:
    out: list[_Mention] = []
    for i, ing in enumerate(ingredients):
        if ing.kind in ("additive", "nutrient"):
            continue
        text = ing.text or ing.name
        pos = ing.span[0] if ing.span else -len(ingredients) + i
        amount = ing.amount if ing.amount is not None and ing.amount.unit in _MASSES else None
        microbes = find_microbes(text, ref) if ing.kind in ("microorganism", "other") else []
        for mb in microbes:
            out.append(_Mention(MICROORGANISM, _flat(text[mb.start:mb.end]), _flat(text), pos, "ingredient",
                                amount=amount, basis="unit" if amount else None, microbe=mb))
        if microbes:
            continue
        forms = find_butyrate_forms(text, ref) if ing.kind in ("active", "other") else []
        if not forms and ing.kind == "active" and ing.id and ref.form(ing.id):
            out.append(_Mention(ing.id, ing.name, _flat(text), pos, "ingredient", amount=amount,
                                basis="unit" if amount else None))
        for fm in drop_unspecified(forms):
            out.append(_Mention(fm.form.id, _clean_name(text[fm.start:fm.end]), _flat(text), pos,
                                "ingredient", amount=amount, basis="unit" if amount else None))
    return out


def _segments(text: str) -> list[_Segment]:
    """Table rows (lines below a basis header) and the sentences of the rest of the text."""
    rows: list[_Segment] = []
    covered: list[tuple[int, int]] = []
    headers: list[BasisHeader] | None = None
    quiet = 0
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        if not line.strip():
            continue
        found = parse_basis_headers(line)
        if found:
            headers, quiet = found, 0
            covered.append((m.start(), m.end()))
            rows.append(_Segment(line, m.start(), None, found, is_row=False))
            continue
        lead = _HEADER_THEN_ROW.match(line)
        found = parse_basis_headers(lead.group(1)) if lead else []
        if lead and found:  # "Each capsule contains: sodium butyrate 600 mg"
            headers, quiet = found, 0
            covered.append((m.start(), m.end()))
            rows.append(_Segment(lead.group(1), m.start(), None, found, is_row=False))
            rows.append(_Segment(line[lead.end():], m.start() + lead.end(), _pick_basis(found), found,
                                 is_row=True))
            continue
        if headers is None:
            continue
        if _is_prose(line):
            headers = None
            continue
        has_amount = bool(find_amounts(line))
        quiet = 0 if has_amount else quiet + 1
        if quiet > 3:
            headers = None
            continue
        rows.append(_Segment(line, m.start(), _pick_basis(headers), headers, is_row=True))
        covered.append((m.start(), m.end()))
    sentences = [_Segment(text[s:e], s, None) for s, e in _sentence_spans(text, covered)]
    return rows + sentences


def _sentence_spans(text: str, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences of the text outside table rows (table lines are blanked so no sentence runs into them)."""
    chars = list(text)
    for s, e in covered:
        chars[s:e] = " " * (e - s)
        if e < len(chars):
            chars[e] = "\n"
    blanked = "".join(chars)
    return [(s, e) for s, e in split_sentences(blanked) if blanked[s:e].strip()]


def _is_prose(line: str) -> bool:
    """A sentence of running text ends a table."""
    words = line.split()
    return (len(words) > 9 and not find_amounts(line)) or len(words) > 16


def _pick_basis(headers: list[BasisHeader]) -> Basis | None:
    usable = [h.basis for h in headers if h.basis]
    return usable[0] if usable else None


def _column_amount(masses: list[tuple[Amount, int, int]], headers: list[BasisHeader]
                   ) -> tuple[Amount, Basis | None, int] | None:
    """The mass of a row and its basis; with several columns ("per capsule | per day") the day column wins."""
    if not masses:
        return None
    if len(headers) > 1 and len(masses) >= len(headers):
        cols = list(zip(headers, masses[:len(headers)], strict=True))
        for wanted in ("day", "unit", "serving"):
            for h, (amount, start, _) in cols:
                if h.basis == wanted:
                    return amount, wanted, start
    amount, start, _ = masses[0]
    return amount, _pick_basis(headers) if headers else None, start


def _inline_basis(folded: str, pos: int) -> Basis | None:
    """The basis phrase nearest to an amount in a sentence, if any."""
    best: tuple[int, Basis] | None = None
    for start, end, basis in _basis_phrases(folded):
        dist = min(abs(start - pos), abs(end - pos))
        if best is None or dist < best[0]:
            best = (dist, basis)
    return best[1] if best else None


@functools.lru_cache(maxsize=64)
def _basis_phrases(folded: str) -> tuple[tuple[int, int, Basis], ...]:
    """The basis phrases of a sentence, found once for all its amounts."""
    phrases: tuple[tuple[re.Pattern[str], Basis], ...] = (
        (_INLINE_UNIT, "unit"), (_INLINE_UNITS, "serving"), (_SUBJECT_UNIT, "unit"),
        (_SUBJECT_UNITS, "serving"), (_INLINE_SERVING, "serving"), (_INLINE_DAY, "day"))
    return tuple((m.start(), m.end(), basis) for regex, basis in phrases for m in regex.finditer(folded))


class _TableState:
    """Rows of the current table: names waiting for their value, actives above an "of which" line."""

    def __init__(self) -> None:
        self.pending: list[_Pending] = []
        self.since_declaration: list[_Mention] = []
        self.last_form: _Mention | None = None

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


def _segment_mentions(seg: _Segment, ref: ReferenceData, table: _TableState,
                      ingredient_forms: set[str], strains: list[MicrobeMatch]) -> list[_Mention]:
    """Actives named in one row or sentence, with the amounts that belong to them."""
    text = seg.text
    folded = fold_keep_offsets(text)
    decls = find_declarations(text, ref)
    forms = drop_unspecified(find_butyrate_forms(text, ref, declarations=decls))
    microbes = find_microbes(text, ref)
    if seg.is_row and not microbes and not forms:
        microbes = _by_strain(text, strains)
    if not seg.is_row:  # in running text each microbe's state is what its own clause says
        microbes = [_with_clause_state(text, mb, ref) for mb in microbes]
    forms = [f for f in forms if not any(mb.start <= f.start < mb.end for mb in microbes)]
    decl_spans = [(d.start, d.end) for d in decls]
    amounts = [(a, s, e) for a, s, e in find_amounts(text)
               if not any(ds <= s < de for ds, de in decl_spans) and not _after_per(folded, s)]
    mentions: list[_Mention] = []
    evidence = _flat(text)
    pos = seg.start
    # one form named in two languages ("Natriumbutyrat · Butyrate de sodium") is one row name
    if seg.is_row and len({f.form.id for f in forms}) + len(microbes) <= 1:
        return _row_mentions(seg, forms[:1], microbes, amounts, decls, table, ingredient_forms)
    for d in decls:
        if not d.strong and not forms and d.amount is not None:
            forms = [FormMention(ref.form(ACID), d.start, d.end)] if ref.form(ACID) else forms
    items: list[tuple[int, int, str, MicrobeMatch | None, str]] = (
        [(f.start, f.end, f.form.id, None, _clean_name(text[f.start:f.end])) for f in forms]
        + [(mb.start, mb.end, MICROORGANISM, mb, _clean_name(text[mb.start:mb.end])) for mb in microbes])
    items.sort()
    by_item: dict[int, _Mention] = {}
    for i, (_, _, key, mb, name) in enumerate(items):
        by_item[i] = _Mention(key, name, evidence, pos + items[i][0], "sentence", microbe=mb)
    for amount, a_start, a_end in amounts:
        kind = "mass" if amount.unit in _MASSES else "count" if amount.unit in _COUNTS else None
        if kind is None:
            continue
        owner = _owner(text, items, a_start, a_end, by_item, kind)
        if owner is None:
            continue
        mention = by_item[owner]
        basis = _inline_basis(folded, a_start) or seg.basis
        if kind == "mass" and mention.amount is None:
            mention.amount, mention.basis = amount, basis
            mention.source = ("row" if seg.is_row else "sentence") if basis else "inline"
        elif kind == "count" and mention.count is None:
            mention.count = amount
            mention.basis = mention.basis or basis
    # where "food supplement with" ends, looked up only for a form named without an amount
    amountless = any(m.amount is None and m.count is None and m.key not in (MICROORGANISM, UNSPECIFIED)
                 for m in by_item.values())
    named_from = product_name_end(text, ref) if amountless else None
    for i, mention in by_item.items():
        if mention.amount is None and mention.count is None:
            if mention.key == MICROORGANISM:
                mention.state_only = True
                mentions.append(mention)
            elif mention.key != UNSPECIFIED and named_from is not None and items[i][0] >= named_from:
                mentions.append(mention)  # "Nahrungsergänzungsmittel mit Calciumbutyrat": in the product
            continue
        if mention.key != MICROORGANISM:
            mention.declared = _declared_after(decls, items[i][1], items, i)
        mentions.append(mention)
    return mentions


def _by_strain(row: str, strains: list[MicrobeMatch]) -> list[MicrobeMatch]:
    """The listed microbe whose strain code a row names when OCR garbled its genus and species
    ("acdophius NV-118 25 mg" under "Lactobacillus acidophilus NV-118" in the ingredients)."""
    for mb in strains:
        parts = re.findall(r"[A-Za-z]+|\d+", mb.strain or "")
        pattern = r"[\s-]?".join(map(re.escape, parts))
        m = re.search(rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])", row) if parts else None
        if m:
            return [replace(mb, start=m.start(), end=m.end())]
    return []


def _with_clause_state(text: str, mb: MicrobeMatch, ref: ReferenceData) -> MicrobeMatch:
    """The state read from the clause around a microbe ("hitte-gedode B. breve, L. acidophilus LA-5")."""
    starts = [m.end() for m in _CLAUSE_EDGE.finditer(text) if m.end() <= mb.start]
    end_match = _CLAUSE_EDGE.search(text, mb.end)
    clause = text[starts[-1] if starts else 0:end_match.start() if end_match else len(text)]
    state, by_count = microbe_state(clause, ref)
    return replace(mb, state=state, live_count=by_count)


def _after_per(folded: str, start: int) -> bool:
    """"per 100 g" is a basis, not an amount."""
    return re.search(r"(?:per|pro|par|pour)\s$", folded[max(0, start - 6):start]) is not None


def _owner(text: str, items: list, a_start: int, a_end: int, by_item: dict[int, _Mention],
           kind: str) -> int | None:
    """The item an amount belongs to: the name just before it, else one just after ("450 mg tributyrin")."""
    prev = next((i for i in range(len(items) - 1, -1, -1) if items[i][1] <= a_start), None)
    nxt = next((i for i in range(len(items)) if items[i][0] >= a_end), None)

    def free(i: int) -> bool:
        m = by_item[i]
        return (m.amount is None) if kind == "mass" else (m.count is None)

    def gap_ok(gap: str, limit: int) -> bool:
        return len(gap) <= limit and not _CLAUSE_BREAK.search(gap)

    if prev is not None and free(prev):
        gap = text[items[prev][1]:a_start]
        if len(gap.strip(" :\t–—-")) == 0 or (gap_ok(gap, 40) and not re.search(r"\d", gap) and nxt is None):
            return prev
    if nxt is not None and free(nxt) and _FILLER.match(fold(text[a_end:items[nxt][0]])):
        return nxt
    if prev is not None and free(prev) and gap_ok(text[items[prev][1]:a_start], 40):
        return prev
    return None


def _declared_after(decls: list[Declaration], item_end: int, items: list, index: int) -> Amount | None:
    """A declaration after this item and before the next item belongs to it."""
    nxt_start = items[index + 1][0] if index + 1 < len(items) else 10**9
    for d in decls:
        if item_end <= d.start < nxt_start and d.amount is not None:
            return d.amount
    return None


def _row_mentions(seg: _Segment, forms: list[FormMention], microbes: list[MicrobeMatch],
                  amounts: list[tuple[Amount, int, int]], decls: list[Declaration], table: _TableState,
                  ingredient_forms: set[str]) -> list[_Mention]:
    """A table row: one active per row; a declaration row feeds the active above; a name without value waits
    for the next value-only line (OCR may put values on the next line or in a column after the names)."""
    text = seg.text
    masses = [t for t in amounts if t[0].unit in _MASSES]
    counts = [t for t in amounts if t[0].unit in _COUNTS]
    declared = next((d.amount for d in decls if d.amount is not None), None)
    named = bool(forms or microbes)
    if (decls and not named) or _is_acid_row_after_form(forms, microbes, table, ingredient_forms):
        target = _declaration_target(table)
        value = declared or (masses[0][0] if masses else None)
        if value is None and not amounts:
            table.pending.append(_Pending(seg, "declared", target))
        elif target is not None and value is not None:
            target.declared = value
        return []
    if named:
        mention = _new_row_mention(seg, forms, microbes, text)
        if not masses and not counts:
            table.pending.append(_Pending(seg, "active", mention))
            return _remember(table, mention)
        _fill_row(mention, seg, masses, counts)
        if declared is not None and mention.key != MICROORGANISM:
            mention.declared = declared
        return _remember(table, mention)
    if (masses or counts) and table.pending and not _has_words(text, amounts):
        waiting = table.pending.pop(0)
        if waiting.kind == "active" and waiting.mention is not None:
            _fill_row(waiting.mention, waiting.seg, masses, counts)
            waiting.mention.evidence = f"{waiting.mention.evidence} {_flat(text)}"
        elif waiting.kind == "declared" and waiting.mention is not None and masses:
            waiting.mention.declared = masses[0][0]
        return []
    if not masses and not counts and _has_words(text, amounts):
        table.pending.append(_Pending(seg, "other", None))  # e.g. "waarvan natrium": keeps the column order
    return []


@dataclass
class _Pending:
    """A row name whose value OCR printed further down."""

    seg: _Segment
    kind: str  # active | declared | other
    mention: _Mention | None


def _declaration_target(table: _TableState) -> _Mention | None:
    """"of which butyric acid" belongs to the one active above; a total for several actives to none."""
    target = table.since_declaration[0] if len(table.since_declaration) == 1 else None
    table.since_declaration = []
    return target


def _is_acid_row_after_form(forms: list[FormMention], microbes: list[MicrobeMatch], table: _TableState,
                            ingredient_forms: set[str]) -> bool:
    """A bare "Butyric acid 393 mg" row right under a salt or ester row declares its content."""
    return (not microbes and len(forms) == 1 and forms[0].form.id == ACID and ACID not in ingredient_forms
            and table.last_form is not None and table.last_form.key != ACID)


def _new_row_mention(seg: _Segment, forms: list[FormMention], microbes: list[MicrobeMatch],
                     text: str) -> _Mention:
    evidence = _flat(text)
    if microbes:
        mb = microbes[0]
        return _Mention(MICROORGANISM, _clean_name(text[mb.start:mb.end]), evidence, seg.start + mb.start,
                        "row", microbe=mb)
    f = forms[0]
    return _Mention(f.form.id, _clean_name(text[f.start:f.end]), evidence, seg.start + f.start, "row")


def _fill_row(mention: _Mention, seg: _Segment, masses: list, counts: list) -> None:
    picked = _column_amount(masses, seg.headers)
    if picked is not None:
        mention.amount, mention.basis = picked[0], picked[1]
    if counts:
        mention.count = counts[0][0]
        mention.basis = mention.basis or seg.basis
    if mention.basis is None:
        mention.source = "inline"


def _remember(table: _TableState, mention: _Mention) -> list[_Mention]:
    if mention.key != MICROORGANISM:
        table.since_declaration.append(mention)
        table.last_form = mention
    return [mention]


def _has_words(text: str, amounts: list[tuple[Amount, int, int]]) -> bool:
    rest = list(text)
    for _, s, e in amounts:
        rest[s:e] = " " * (e - s)
    return re.search(r"[A-Za-zÀ-ÿ]{3,}", "".join(rest)) is not None


# ---------------------------------------------------------------- merging into actives
def find_actives(text: str, ingredients: list[Ingredient], ref: ReferenceData) -> list[Active]:
    """Every butyrate form and microorganism of the label: the ingredient list merged with amount tables and
    sentences; one Active per substance even when a bilingual label names it twice."""
    ing_mentions = _ingredient_mentions(ingredients, ref)
    ingredient_forms = {m.key for m in ing_mentions if m.key != MICROORGANISM}
    # strain codes of 4+ characters with a digit name one organism ("NV-118"; not "GG")
    strains = [m.microbe for m in ing_mentions if m.microbe and m.microbe.strain
               and len(key := _strain_key(m.microbe.strain)) >= 4 and re.search(r"\d", key)]
    text_mentions: list[_Mention] = []
    table = _TableState()
    unfilled: list[list[_Pending]] = []
    for seg in _segments(text):
        if seg.headers and not seg.is_row:
            unfilled.append(table.pending)
            table.reset()
            continue
        text_mentions.extend(_segment_mentions(seg, ref, table, ingredient_forms, strains))
    unfilled.append(table.pending)
    _fill_from_value_column(text, [group for group in unfilled if group])
    actives = _merge_forms(ing_mentions, text_mentions) + _merge_microbes(ing_mentions, text_mentions)
    actives = [_checked_by_declaration(a, ref) for a in actives
               if not _metal_from_another_source(a, ingredients, ref)]
    if any(a.unit == "cfu" for a, _, _ in find_amounts(text)):
        for active in actives:  # a CFU count printed anywhere counts living cells
            if active.id == MICROORGANISM and active.state == "unstated":
                active.state = "live"
    return actives


def _checked_by_declaration(active: Active, ref: ReferenceData) -> Active:
    """An amount read with a stray digit before it ("3 600 mg" for "600 mg †") that its declared butyric
    acid contradicts, where the amount without its first digit group matches the declaration."""
    form = ref.form(active.id)
    fraction = form.butyric_acid_fraction if form else None
    declared = active.declared_butyric_acid.mg() if active.declared_butyric_acid else None
    amount = active.amount.mg() if active.amount else None
    printed = active.amount.text.strip() if active.amount else ""
    m = _GROUPED.fullmatch(printed)
    if not (fraction and declared and amount and m) or _agrees(declared, amount * fraction):
        return active
    rest = Amount(float(m.group(2).replace(",", ".")), active.amount.unit, printed[m.start(2):])
    return replace(active, amount=rest) if _agrees(declared, (rest.mg() or 0) * fraction) else active


def _agrees(declared: float, expected: float) -> bool:
    return abs(declared - expected) <= DECLARATION_TOLERANCE * expected


def _metal_from_another_source(active: Active, ingredients: list[Ingredient], ref: ReferenceData) -> bool:
    """A salt only the product's name states ("à base de butyrate de magnésium et de zinc"), whose metal
    the ingredient list gives in another compound ("citrate de zinc"): the name means that zinc."""
    form = ref.form(active.id)
    if active.in_ingredients or active.amount is not None or form is None or form.metal is None:
        return False
    words = {fold(form.metal)} | {w for n in form.names.all()
                                  if len(w := re.sub(r"butyr\w*|butano\w*|\bde\b|[\s-]", "", fold(n))) >= 4}
    return any(i.kind == "nutrient" and fold(i.id or "") in words for i in ingredients)


def _fill_from_value_column(text: str, groups: list[list[_Pending]]) -> None:
    """OCR can print a table's value column far below its names; when a run of value-only lines after the
    names has exactly as many lines as names are waiting, pair them in order."""
    values: list[tuple[int, list[tuple[Amount, int, int]]]] = []
    for m in re.finditer(r"[^\n]+", text):
        amounts = [t for t in find_amounts(m.group(0)) if t[0].unit in _MASSES + _COUNTS]
        if amounts and not _has_words(m.group(0), amounts):
            values.append((m.start(), amounts))
    runs: list[list[tuple[int, list]]] = []
    for start, amounts in values:
        if runs and _only_blank_lines_between(text, runs[-1][-1][0], start):
            runs[-1].append((start, amounts))
        else:
            runs.append([(start, amounts)])
    used: set[int] = set()
    for group in groups:
        named = len(group)
        while named and group[named - 1].kind == "other":
            named -= 1  # headings after the table are no rows
        if not named:
            continue
        after = group[-1].seg.start
        run = next((r for i, r in enumerate(runs)
                    if i not in used and r[0][0] > after and named <= len(r) <= len(group)), None)
        if run is None:
            continue
        used.add(runs.index(run))
        for waiting, (_, amounts) in zip(group, run, strict=False):
            masses = [t for t in amounts if t[0].unit in _MASSES]
            counts = [t for t in amounts if t[0].unit in _COUNTS]
            if waiting.kind == "active" and waiting.mention is not None:
                _fill_row(waiting.mention, waiting.seg, masses, counts)
            elif waiting.kind == "declared" and waiting.mention is not None and masses:
                waiting.mention.declared = masses[0][0]


def _only_blank_lines_between(text: str, start: int, end: int) -> bool:
    """Two value lines follow each other (blank lines between them allowed)."""
    first_end = text.find("\n", start)
    return first_end != -1 and not text[first_end:end].strip()


def _merge_forms(ing: list[_Mention], found: list[_Mention]) -> list[Active]:
    forms = [m for m in ing + found if m.key != MICROORGANISM]
    forms = _resolve_unspecified(forms)
    order: list[str] = []
    for m in sorted(forms, key=lambda m: (m.source != "ingredient", m.pos)):
        if m.key not in order:
            order.append(m.key)
    return [_build_form_active(key, [m for m in forms if m.key == key]) for key in order]


def _resolve_unspecified(forms: list[_Mention]) -> list[_Mention]:
    """A bare "Butyrate 600 mg" row on a label whose only named form is a salt is that salt's amount."""
    specific = {m.key for m in forms if m.key != UNSPECIFIED}
    if not specific or not any(m.key == UNSPECIFIED for m in forms):
        return forms
    if len(specific) == 1:
        key = next(iter(specific))
        for m in forms:
            if m.key == UNSPECIFIED:
                m.key = key
        return forms
    return [m for m in forms if m.key != UNSPECIFIED or m.amount is not None]


def _build_form_active(key: str, mentions: list[_Mention]) -> Active:
    ing = [m for m in mentions if m.source == "ingredient"]
    with_amount = sorted((m for m in mentions if m.amount is not None), key=lambda m: (m.rank, m.pos))
    best = with_amount[0] if with_amount else None
    named = ing[0] if ing else (best or mentions[0])
    declared = next((m.declared for m in ([best] if best else []) + mentions if m and m.declared), None)
    basis = best.basis if best else None
    if best is not None and basis is None:
        basis = "unit"  # no stated basis: a row or an ingredient amount is printed per unit (capsule, scoop)
    return Active(id=key, name=named.name, evidence=(best or named).evidence,
                  amount=best.amount if best else None, basis=basis, declared_butyric_acid=declared,
                  in_ingredients=bool(ing))


def _merge_microbes(ing: list[_Mention], found: list[_Mention]) -> list[Active]:
    """One active per organism: same species (old or new genus name, "L." abbreviation) and strain."""
    groups: list[list[_Mention]] = []
    for m in sorted([m for m in ing + found if m.key == MICROORGANISM and not m.state_only],
                    key=lambda m: (m.source != "ingredient", m.pos)):
        group = next((g for g in groups if any(_same_organism(m.microbe, o.microbe) for o in g)), None)
        if group is None:
            groups.append([m])
        else:
            group.append(m)
    state_only = [m for m in found if m.key == MICROORGANISM and m.state_only]
    for m in state_only:
        group = next((g for g in groups if any(_same_organism(m.microbe, o.microbe) for o in g)), None)
        if group is not None:
            group.append(m)
    return [_build_microbe_active(g) for g in groups]


def _same_organism(a: MicrobeMatch | None, b: MicrobeMatch | None) -> bool:
    if a is None or b is None:
        return False
    if a.strain and b.strain:  # the strain names the organism; a misread epithet ("aadophius") is no matter
        return _same_strain(a, b) and same_genus(a.genus, b.genus)
    if a.epithet and b.epithet:
        return _same_epithet(a.epithet, b.epithet) and same_genus(a.genus, b.genus)
    return same_genus(a.genus, b.genus) and (a.epithet is None or b.epithet is None)


def _same_epithet(a: str, b: str) -> bool:
    """The same epithet, or one cut short by glare ("mucinip" of "muciniphila")."""
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= MIN_CUT_EPITHET and long.startswith(short))


def _strain_key(strain: str) -> str:
    """A strain code as compared: folded, letters and digits only ("NV-118" -> "nv118")."""
    return re.sub(r"[\W_]", "", fold(strain))


def _same_strain(a: MicrobeMatch, b: MicrobeMatch) -> bool:
    """The same strain code, or one cut short at its start by glare ("LH-52" of "BLH-52") where the
    epithet is cut short too or the same ("long" of "longum")."""
    x, y = sorted((_strain_key(a.strain or ""), _strain_key(b.strain or "")), key=len)
    if x == y:
        return True
    cut = len(x) >= 3 and re.search(r"\d", x) is not None and y.endswith(x)
    return cut and a.epithet is not None and b.epithet is not None and _same_epithet(a.epithet, b.epithet)


def _build_microbe_active(group: list[_Mention]) -> Active:
    real = [m for m in group if not m.state_only]
    ing = [m for m in real if m.source == "ingredient"]
    microbes = [m.microbe for m in group if m.microbe]
    full = [mb for mb in microbes if mb.epithet and not mb.genus.endswith(".")]
    species_src = next((m.microbe for m in ing if m.microbe and m.microbe.epithet), None)
    if species_src is None:  # the full genus name beats an abbreviation
        species_src = full[0] if full else next((mb for mb in microbes if mb.epithet), microbes[0])
    # an epithet or a strain code glare cut short ("plant", "318") gives way to the whole one
    species_src = next((mb for mb in full if species_src.epithet and mb.epithet
                        and len(mb.epithet) > len(species_src.epithet)
                        and _same_epithet(mb.epithet, species_src.epithet)), species_src)
    strain = max((mb.strain for mb in microbes if mb.strain), key=len, default=None)
    state = _merged_state(microbes)
    with_amount = sorted((m for m in real if m.amount is not None), key=lambda m: (m.rank, m.pos))
    with_count = sorted((m for m in real if m.count is not None), key=lambda m: (m.rank, m.pos))
    best = with_amount[0] if with_amount else (with_count[0] if with_count else None)
    named = ing[0] if ing else real[0]
    basis = best.basis if best else None
    if best is not None and basis is None:
        basis = "unit"
    return Active(id=MICROORGANISM, name=named.name, evidence=(best or named).evidence,
                  amount=with_amount[0].amount if with_amount else None, basis=basis,
                  in_ingredients=bool(ing), species=species_src.species, strain=strain, state=state,
                  count=with_count[0].count if with_count else None)


def _merged_state(microbes: list[MicrobeMatch]) -> str:
    if any(mb.live_count for mb in microbes):
        return "live"
    if any(mb.state == "inactivated" for mb in microbes):
        return "inactivated"
    if any(mb.state == "live" for mb in microbes):
        return "live"
    return "unstated"

