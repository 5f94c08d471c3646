"""Split an ingredient list: function classes, sub-ingredients, E-numbers, kinds, allergens, spans."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from checker.models import Amount, Ingredient
from checker.parsing._text import ABBREVIATIONS, View, cached, make_view, memo
from checker.reference import Additive, ReferenceData
from checker.textnorm import fold

FUZZY_NAME_SCORE = 90  # rapidfuzz ratio for an OCR-damaged additive name
FUZZY_NAME_SCORE_IN_CLASS = 82  # lower when a function class ("anti-caking agent:") says it is an additive
FUZZY_CLASS_SCORE = 85
FUZZY_MIN_LEN = 6
COMPOUND_MIN_LEN = 8  # an additive name may end a compound word ("Sojalecithin") when this long
LONGER_NAME_SCORE = 70  # rapidfuzz ratio: a compound this close to a longer additive name may be that one
MAX_CLASS_WORDS = 5

# "E 551", "E-464", "e470b", "E470(b)", "INS 330", "E341(iii)" -> number, letter; not "vitamin E 400"
E_NUMBER = re.compile(
    r"(?<![a-z0-9])(?<!vitamin )(?<!vitamine )(?<!vit\. )(?<!vit )(?:e|ins)\s?-?\s?(?P<num>[1-9]\d{2,3})"
    r"(?:(?P<l1>[a-h])(?![a-z0-9])|\s?\((?P<l2>[a-h])\)|\s(?P<l3>[a-h])(?![a-z0-9]|\s?-?\s?\d)|(?![0-9a-z]))"
    r"(?:\s?\((?:i{1,3}|iv|vi{0,3}|ix|x)\))?")
_E_ONLY = re.compile(r"\s*" + E_NUMBER.pattern + r"\s*")
_CONJUNCTION = re.compile(r" (?:and|en|und|et|&) ")
_AMOUNT_ONLY = re.compile(r"\s*(?:min\.?|ca\.?|approx\.?)?\s*\d[\d.,]*\s?(?:%|mg|g|ug|µg|mcg|iu|ie)\s*")
_AMOUNT_UNITS = frozenset({"mg", "g", "ug", "%", "IU", "cfu", "cells"})
_TRIM = " \t\n.,;:*†‡°'\""
_PERIOD_COMMA = re.compile(r"\. [a-zà-ÿ]")
_LEADING_CONJ = re.compile(r"(?:and|en|und|et|&)\s+", re.IGNORECASE)
# a glare speck or a letter's edge that OCR read as a mark between two words ("hydroxypropyl! methyl-
# cellulose"); no additive name holds one, and left in it would let a shorter name win
_STRAY_MARK = re.compile(r"\s*[!|¦]+\s*")


# ---------------------------------------------------------------- reference lookups
@dataclass(frozen=True)
class _Lookups:
    additive_names: dict[str, Additive]  # squeezed folded name -> additive
    additive_rx: re.Pattern[str] | None
    compound_rx: re.Pattern[str] | None
    by_e: dict[str, Additive]
    classes: dict[str, str]  # squeezed folded class name -> function class id
    nutrient_rx: re.Pattern[str] | None
    allergen_rx: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]  # id, triggers, exemptions
    fuzzy_names: tuple[str, ...] = ()  # squeezed additive names long enough for the fuzzy comparison
    fuzzy_additives: tuple[Additive, ...] = ()
    longer_names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> longer ones ending in it


def _squeeze(name: str) -> str:
    return re.sub(r"[\s\-]", "", name)


def _name_rx(names: list[str]) -> str:
    parts = sorted({re.escape(n).replace(r"\ ", "[ -]?").replace(r"\-", "[ -]?") for n in names},
                   key=len, reverse=True)
    return "|".join(parts)


def _build(ref: ReferenceData) -> _Lookups:
    names: dict[str, Additive] = {}
    for add in ref.additives:
        for n in add.names.all():
            names.setdefault(_squeeze(fold(n)), add)
    folded = [fold(n) for add in ref.additives for n in add.names.all()]
    long_names = [n for n in folded if len(n) >= COMPOUND_MIN_LEN and " " not in n]
    classes = {_squeeze(fold(n)): fc.id for fc in ref.function_classes for n in (fc.id, *fc.names.all())}
    allergen_rx = []
    for a in ref.allergens:
        start_words = _name_rx([fold(t) for t in a.triggers])  # whole word or start of a compound
        whole_words = _name_rx([fold(t) for t in a.whole_word_triggers])
        pats = [f"(?<![a-z])(?:{start_words})"] if start_words else []
        if whole_words:
            pats.append(f"(?<![a-z])(?:{whole_words})(?![a-z])")
        if pats:
            allergen_rx.append((a.id, re.compile("|".join(pats)), tuple(fold(e) for e in a.exemptions)))
    nutrients = _name_rx([fold(n) for n in ref.nutrients])
    return _Lookups(
        names,
        re.compile(f"(?<![a-z])(?:{_name_rx(folded)})(?![a-z])") if folded else None,
        re.compile(f"(?:{_name_rx(long_names)})(?![a-z])") if long_names else None,
        {a.e_number: a for a in ref.additives},
        classes,
        re.compile(f"(?<![a-z])(?:{nutrients})") if nutrients else None,
        tuple(allergen_rx),
        tuple(n for n in names if len(n) >= FUZZY_MIN_LEN),
        tuple(a for n, a in names.items() if len(n) >= FUZZY_MIN_LEN),
        {n: tuple(m for m in names if len(m) > len(n) and m.endswith(n)) for n in map(_squeeze, long_names)},
    )


def _lookups(ref: ReferenceData) -> _Lookups:
    return cached(ref, "ingredients", _build)


# ---------------------------------------------------------------- small public helpers
def normalise_e_number(m: re.Match[str]) -> str:
    """"E 470 (b)" -> "E470b"."""
    letter = m.group("l1") or m.group("l2") or m.group("l3") or ""
    return f"E{m.group('num')}{letter}"


def find_e_numbers(folded: str) -> list[str]:
    """Every E-number in folded text, normalised ("e 551" -> "E551")."""
    return [normalise_e_number(m) for m in E_NUMBER.finditer(folded)]


def find_allergens(folded: str, ref: ReferenceData) -> list[str]:
    """Annex II ids whose trigger words occur in folded text (whole words or compound starts), unless
    the text contains one of the allergen's exemptions ("maltodextrin", "milchsaure")."""
    found = []
    for allergen_id, rx, exemptions in _lookups(ref).allergen_rx:
        squeezed = " ".join(folded.split())
        if rx.search(squeezed) and not any(e in squeezed for e in exemptions):
            found.append(allergen_id)
    return found


def function_class(printed: str, ref: ReferenceData) -> str | None:
    """English function-class id of a printed class ("antiklontermiddelen" -> "anti-caking agent")."""
    key = _squeeze(fold(printed).strip(_TRIM))
    if not key or len(key.split()) > MAX_CLASS_WORDS:
        return None
    classes = _lookups(ref).classes
    if key in classes:
        return classes[key]
    for suffix in ("en", "s", "e", "n"):  # plural of a singular name (nl/en/de/fr)
        if key.endswith(suffix) and key[:-len(suffix)] in classes:
            return classes[key[:-len(suffix)]]
    if len(key) >= FUZZY_MIN_LEN:
        best = max(classes, key=lambda k: fuzz.ratio(key, k), default=None)
        if best is not None and fuzz.ratio(key, best) >= FUZZY_CLASS_SCORE:
            return classes[best]
    return None


def find_additive(folded: str, ref: ReferenceData, *,
                  in_class: str | None = None) -> tuple[Additive | None, str | None]:
    """The additive a folded ingredient text names (E-number first, then the longest name, then an
    OCR-tolerant comparison), with the printed E-number if any."""
    table = memo(ref, "additive")
    key = (folded, in_class)
    if key not in table:
        table[key] = _find_additive(folded, ref, in_class)
    return table[key]


def _find_additive(folded: str, ref: ReferenceData,
                   in_class: str | None) -> tuple[Additive | None, str | None]:
    lk = _lookups(ref)
    folded = _STRAY_MARK.sub(" ", folded)
    m = E_NUMBER.search(folded)
    e_number = normalise_e_number(m) if m else None
    if e_number:
        return lk.by_e.get(e_number), e_number
    n = lk.additive_rx.search(folded) if lk.additive_rx else None
    if n:
        return lk.additive_names.get(_squeeze(n.group())), None
    fuzzy = _fuzzy_additive(folded, ref, in_class)
    if fuzzy is not None:  # before compounds: "hydroxypropylmethyicellulose" is E464, not "...cellulose"
        return fuzzy, None
    n = lk.compound_rx.search(folded) if lk.compound_rx else None
    found = lk.additive_names.get(_squeeze(n.group())) if n else None
    if n and _damaged_longer_name(folded[:n.end()], _squeeze(n.group()), found, lk):
        return None, None
    return found, None


def _damaged_longer_name(word_end: str, name: str, found: Additive | None, lk: _Lookups) -> bool:
    """Does a word that ends in an additive name look as much like a longer name of another additive
    ending in it? ("cropytmethylcellulose": hydroxypropyl- or carboxymethylcellulose with its start
    lost, not methylcellulose; "Sojalecithin" is lecithin however it starts.)"""
    word = re.findall(r"[a-z]+$", word_end)
    return bool(word) and any(lk.additive_names[longer] is not found
                              and fuzz.ratio(word[0], longer) >= LONGER_NAME_SCORE
                              for longer in lk.longer_names.get(name, ()))


def _fuzzy_additive(folded: str, ref: ReferenceData, in_class: str | None) -> Additive | None:
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", folded)
    if not words:
        return None
    lk = _lookups(ref)
    cutoff = FUZZY_NAME_SCORE_IN_CLASS if in_class else FUZZY_NAME_SCORE
    best: tuple[float, Additive | None] = (0.0, None)
    for size in range(1, min(len(words), 4) + 1):
        for i in range(len(words) - size + 1):
            window = "".join(words[i:i + size]).replace("-", "")
            for _, score, k in process.extract(window, lk.fuzzy_names, scorer=fuzz.ratio, score_cutoff=cutoff,
                                               limit=5):
                add = lk.fuzzy_additives[k]
                # the lower in-class cutoff only for additives that have that function
                need = cutoff if in_class is None or in_class in add.functions else FUZZY_NAME_SCORE
                if score >= need and score > best[0]:
                    best = (score, add)
    return best[1]


def _nutrient(folded: str, ref: ReferenceData) -> str | None:
    rx = _lookups(ref).nutrient_rx
    m = rx.search(folded) if rx else None
    return m.group() if m else None


# ---------------------------------------------------------------- splitting
def split_list(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the items of text[start:end], split on , ; • · outside brackets (not "1,5 mg")."""
    pieces, depth, s = [], 0, start
    for i in range(start, end):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and (ch in ";•·" or (ch == "," and not _decimal_comma(text, i, end))
                             or (ch == "." and _comma_read_as_period(text, i, end))):
            pieces.append((s, i))
            s = i + 1
    pieces.append((s, end))
    return [span for a, b in pieces if (span := _trim(text, a, b))]


def _comma_read_as_period(text: str, i: int, end: int) -> bool:
    """"gelatine. humectant": inside a list, a period before a lower-case word is an OCR'd comma (not
    "L. plantarum", "ca. 5 %")."""
    m = _PERIOD_COMMA.match(text, i, end)
    if m is None:
        return False
    if text[i - 1:i] == ")":
        return True  # "(62 %). enveloppe"
    word = re.search(r"[^\W\d_]+$", text[max(0, i - 20):i])
    return word is not None and len(word.group()) >= 3 and fold(word.group()) not in ABBREVIATIONS


def _decimal_comma(text: str, i: int, end: int) -> bool:
    return i > 0 and text[i - 1].isdigit() and i + 1 < end and text[i + 1].isdigit()


def _trim(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a] in _TRIM:
        a += 1
    while b > a and text[b - 1] in _TRIM:
        b -= 1
    m = _LEADING_CONJ.match(text, a, b)
    if m:
        a = m.end()
    return (a, b) if b > a and any(c.isalnum() for c in text[a:b]) else None


def _groups(folded: str) -> list[tuple[int, int]]:
    """(open, close) indexes of the top-level bracket groups of a folded string."""
    out, depth, opened = [], 0, 0
    for i, ch in enumerate(folded):
        if ch in "([":
            if depth == 0:
                opened = i
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
            if depth == 0:
                out.append((opened, i))
    if depth:  # an unclosed bracket (OCR): the group runs to the end
        out.append((opened, len(folded)))
    return out


# ---------------------------------------------------------------- one item
@dataclass
class _Parsed:
    ingredient: Ingredient
    own_class: bool
    class_text: str | None = None
    children: list[_Parsed] = field(default_factory=list)


_EXPANDED = "\x00"  # the 2nd "s" of a folded "ß": no printed character of its own


def _cased(view: View) -> str:
    """The view's characters with the source's case and accents (same length as view.text)."""
    out = []
    for i, (c, o) in enumerate(zip(view.text, view.offsets, strict=True)):
        out.append(" " if c == " " else _EXPANDED if i and view.offsets[i - 1] == o else view.source[o])
    return "".join(out)


def _outside(s: str, groups: list[tuple[int, int]], start: int, end: int) -> str:
    """s[start:end] without its bracket groups, whitespace flattened (and no expansion marks)."""
    parts, pos = [], start
    for a, b in groups:
        if a >= start:
            parts.append(s[pos:a])
            pos = b + 1
    parts.append(s[pos:end])
    return " ".join(" ".join(parts).replace(_EXPANDED, "").split())


def _parse_item(text: str, start: int, end: int, ref: ReferenceData,
                inactive: bool = False) -> _Parsed | None:
    from checker.parsing.sections import is_free_from, is_trace_statement  # sections imports this module

    view = make_view(text, start, end)
    v, c = view.text, _cased(view)
    groups = _groups(v)
    if is_free_from(v, ref) or is_trace_statement(_outside(v, groups, 0, len(v)), ref):
        return None  # "sans dioxyde de titane", "may contain traces of nuts": not ingredients
    class_text, fn, body = _class_prefix(v, c, groups, ref)
    groups = [g for g in groups if g[0] >= body]
    core_v, core_c = _outside(v, groups, body, len(v)), _outside(c, groups, body, len(c))
    class_only = False
    if not class_text and groups and (fn := function_class(core_v, ref)):  # "emulsifier (soy lecithin)"
        class_text, core_v, core_c, class_only = core_c, "", "", True
    amount, e_from_group, annotations, sub_groups = None, None, [], []
    for a, b in groups:
        inner_v, inner_c = v[a + 1:b], c[a + 1:b].replace(_EXPANDED, "")
        e_only = _E_ONLY.fullmatch(inner_v)
        if _AMOUNT_ONLY.fullmatch(inner_v) or _mostly_amount(inner_c):
            amount = amount or _amount(inner_c)
        elif e_only:
            e_from_group = e_from_group or normalise_e_number(e_only)
        elif is_trace_statement(inner_v, ref) or is_free_from(inner_v, ref):
            continue  # "(may contain milk)", "(sans gluten)" say nothing about this ingredient
        elif _is_sub_list(inner_v, core_v, ref):
            sub_groups.append((a, b))
        else:
            annotations.append(inner_v)
    span_end = view.span(0, sub_groups[0][0])[1] if sub_groups else end
    span = _trim(text, start, span_end) or (start, end)
    ing = _classify(text[span[0]:span[1]], core_v, core_c, " ".join([core_v, *annotations]),
                    _outside(c, sub_groups, 0, len(c)), fn, e_from_group, ref, inactive)
    ing.span = span
    ing.amount = ing.amount or amount
    if class_only:
        ing.name = class_text
    parsed = _Parsed(ing, own_class=bool(class_text), class_text=class_text)
    for a, b in sub_groups:
        g_start, g_end = view.span(a + 1, b)
        for s, e in split_list(text, g_start, g_end):
            child = _parse_item(text, s, e, ref, inactive)
            if child:
                if fn and not child.own_class and child.ingredient.function is None:
                    child.ingredient.function = fn
                parsed.children.append(child)
    if class_only and len(parsed.children) == 1 and not parsed.children[0].children:
        merged = parsed.children[0].ingredient  # one ingredient, the class as its function
        whole = _trim(text, start, end) or (start, end)
        merged.text, merged.span, merged.function = " ".join(text[whole[0]:whole[1]].split()), whole, fn
        return _Parsed(merged, own_class=True, class_text=class_text)
    return parsed


def _class_prefix(v: str, c: str, groups: list[tuple[int, int]], ref: ReferenceData) \
        -> tuple[str | None, str | None, int]:
    """("antiklontermiddel", "anti-caking agent", index after the colon) for "antiklontermiddel: E 551"."""
    colon = next((i for i, ch in enumerate(v) if ch == ":" and not any(a < i < b for a, b in groups)), -1)
    if colon <= 0:
        return None, None, 0
    prefix = v[:colon].strip()
    if len(prefix.split()) > MAX_CLASS_WORDS or re.search(r"\d", prefix):
        return None, None, 0
    fn = function_class(prefix, ref)
    if fn is None and _names_something(c[:colon].replace(_EXPANDED, ""), prefix, ref):
        return None, None, 0  # "Vitamin D: 10 µg", "L. reuteri strain: DSM 17938" name the ingredient itself
    return c[:colon].replace(_EXPANDED, "").strip(), fn, colon + 1


def _names_something(cased: str, folded: str, ref: ReferenceData) -> bool:
    from checker.parsing.actives import match_butyrate_form
    from checker.parsing.microbes import parse_microbe

    return bool(any(find_additive(folded, ref)) or _nutrient(folded, ref) or match_butyrate_form(cased, ref)
                or parse_microbe(cased, ref))


def _mostly_amount(inner: str) -> bool:
    a = _amount(inner)
    return a is not None and len(a.text) >= 0.6 * len(inner.strip())


def _amount(printed: str) -> Amount | None:
    from checker.parsing.amounts import parse_amount

    a = parse_amount(printed)
    return a if a is not None and a.unit in _AMOUNT_UNITS else None


def _is_sub_list(inner_v: str, core_v: str, ref: ReferenceData) -> bool:
    """Is a bracket group a list of sub-ingredients (not an origin or description like "(aus Milch)")?"""
    top = _outside(inner_v, _groups(inner_v), 0, len(inner_v))
    if re.search(r"[,;]", top):
        return True
    if ":" in top and function_class(top.split(":")[0], ref):
        return True  # "(humectant: glycerol)"; not "(strain: DSM 17938)"
    if not core_v.strip():
        return True
    inner_add, inner_e = find_additive(inner_v, ref)
    core_add, core_e = find_additive(core_v, ref)
    return bool(inner_add or inner_e) and not (core_add or core_e)


def _classify(printed: str, core_v: str, core_c: str, allergen_text: str, microbe_text: str,
              fn: str | None, e_from_group: str | None, ref: ReferenceData, inactive: bool) -> Ingredient:
    from checker.parsing.actives import match_butyrate_form
    from checker.parsing.microbes import parse_microbe

    text = " ".join(printed.split())
    name = core_c.strip(_TRIM) or text
    ing = Ingredient(text=text, name=name, function=fn, allergens=find_allergens(allergen_text, ref))
    form = match_butyrate_form(core_c, ref) if core_c.strip() else None
    microbe = parse_microbe(microbe_text, ref) if not form else None
    additive, e_number = find_additive(core_v, ref, in_class=fn) if core_v.strip() else (None, None)
    marked = fn or e_number or e_from_group or inactive
    if additive is not None and additive.only_with_function and not marked:
        additive = None  # "vitamin C", "calcium carbonate" without a class: a nutrient, not an additive
    if e_from_group and additive is not None and _misread_e_number(e_from_group, additive.e_number, ref):
        e_from_group = additive.e_number  # "siliciumdioxide (E 591)": the name is right, the digit misread
    e_number = e_from_group or e_number or (additive.e_number if additive else None)
    if e_from_group and (additive is None or additive.e_number != e_from_group):
        additive = _lookups(ref).by_e.get(e_from_group)
    if form is not None:
        ing.kind, ing.id, ing.name = "active", form.id, form.names.en[0] if form.names.en else name
    elif microbe is not None:
        ing.kind, ing.id, ing.name = "microorganism", "microorganism", microbe.species
    elif e_number:
        ing.kind, ing.id, ing.e_number = "additive", e_number, e_number
        if additive is not None and additive.names.en:
            ing.name = additive.names.en[0]
        if additive is not None and additive.allergen and additive.allergen not in ing.allergens:
            ing.allergens.append(additive.allergen)
    elif (nutrient := _nutrient(core_v, ref)) is not None:
        ing.kind, ing.id = "nutrient", nutrient
    if ing.kind != "additive" or not core_v.strip():
        ing.amount = _amount(core_c) if core_c.strip() else None
    if ing.amount is not None and ing.name == name and ing.amount.text in name:
        ing.name = name.replace(ing.amount.text, " ").strip(_TRIM + " ") or name  # "Vitamin D: 10 µg"
        ing.name = " ".join(ing.name.split())
    return ing


def _misread_e_number(printed: str, named: str, ref: ReferenceData) -> bool:
    """An E-number the reference does not know, one character off the E-number of the named additive."""
    if printed in _lookups(ref).by_e or len(printed) != len(named):
        return False
    return sum(a != b for a, b in zip(printed, named, strict=True)) == 1


# ---------------------------------------------------------------- the list
def parse_ingredients(text: str, start: int, end: int, ref: ReferenceData, *,
                      inactive: bool = False) -> list[Ingredient]:
    """The ingredients of the list at text[start:end], sub-ingredients flattened after their parent;
    `inactive`: the list is headed "Other/inactive ingredients" (excipients only)."""
    items = []
    spans = [piece for s, e in split_list(text, start, end)
             for piece in _split_inner_classes(text, s, e, ref)]
    for s, e in _split_conjunctions(text, spans, ref):
        parsed = _parse_item(text, s, e, ref, inactive)
        if parsed is not None:
            items.append(parsed)
    _propagate_classes(items, ref)
    out: list[Ingredient] = []
    for parsed in items:
        _flatten(parsed, None, out)
    return out


def _flatten(parsed: _Parsed, parent: int | None, out: list[Ingredient]) -> None:
    parsed.ingredient.parent = parent
    out.append(parsed.ingredient)
    index = len(out) - 1
    for child in parsed.children:
        _flatten(child, index, out)


def _propagate_classes(items: list[_Parsed], ref: ReferenceData) -> None:
    """A plural class ("antiklontermiddelen:", "Farbstoffe:") also covers the following additives that
    have no class of their own, until another class or a non-additive; a singular one only covers
    additives that have that function ("Trennmittel: Magnesiumstearat, Siliciumdioxid")."""
    current, plural = None, False
    for parsed in items:
        ing = parsed.ingredient
        if parsed.own_class:
            current, plural = ing.function, _plural_class(parsed.class_text, ref)
        elif ing.kind == "additive" and current and ing.function is None:
            additive = _lookups(ref).by_e.get(ing.e_number or "")
            if plural or (additive is not None and current in additive.functions):
                ing.function = current
        else:
            current = None


def _plural_class(printed: str | None, ref: ReferenceData) -> bool:
    key = _squeeze(fold(printed or "").strip(_TRIM))
    classes = _lookups(ref).classes
    return any(key.endswith(s) and key[:-len(s)] in classes for s in ("en", "s", "e", "n"))


# "tunique de la gélule : ...": a class name after "de la" belongs to the words before it, no new item
_DANGLING_WORD = re.compile(r"(?<![a-z])(?:de|d'|du|des|la|le|of|the|van|het|von|der|des|zur)$")
_INNER_COLON = re.compile(r"(?<=\s)((?:[^\W\d_][\w-]*\s){0,2}[^\W\d_][\w-]*)\s?:(?=\s)")


def _split_inner_classes(text: str, start: int, end: int, ref: ReferenceData) -> list[tuple[int, int]]:
    """"capsule: hypromellose antiklontermiddel: E 551" (a comma lost): a function class with its colon
    inside an item starts the next item."""
    cuts = []
    depth = 0
    for i in range(start, end):
        if text[i] in "([":
            depth += 1
        elif text[i] in ")]":
            depth = max(0, depth - 1)
        if depth:
            continue
        m = _INNER_COLON.match(text, i, end)
        if m and i > start and text[i - 1].isspace() and function_class(m.group(1), ref) \
                and text[start:i].strip(" :") and text[start:i].rstrip()[-1:] != ":" \
                and not _DANGLING_WORD.search(fold(text[start:i]).rstrip()):
            cuts.append(i)
    bounds = [start, *cuts, end]
    return [span for a, b in zip(bounds, bounds[1:], strict=False) if (span := _trim(text, a, b))]


def _split_adjacent_names(text: str, spans: list[tuple[int, int]],
                          ref: ReferenceData) -> list[tuple[int, int]]:
    """"magnesiumstearaat siliciumdioxide" (the comma lost): two additive names side by side are two items."""
    rx = _lookups(ref).additive_rx
    out: list[tuple[int, int]] = []
    for s, e in spans:
        folded = fold(text[s:e])
        plain = rx is not None and len(folded) == e - s and "(" not in folded
        names = list(rx.finditer(folded)) if plain else []
        cuts = [b.start() for a, b in zip(names, names[1:], strict=False)
                if not folded[a.end():b.start()].strip() and folded[a.end():b.start()]]
        bounds = [s, *(s + c for c in cuts), e]
        out.extend(span for a, b in zip(bounds, bounds[1:], strict=False) if (span := _trim(text, a, b)))
    return out


def _split_conjunctions(text: str, spans: list[tuple[int, int]], ref: ReferenceData) -> list[tuple[int, int]]:
    """"magnesium stearate and silicon dioxide" -> two items, when both halves name an additive."""
    out = []
    for s, e in _split_adjacent_names(text, spans, ref):
        folded = fold(text[s:e])
        m = _CONJUNCTION.search(folded) if "(" not in folded else None
        if m and len(folded) == e - s and all(find_additive(part, ref)[0] or find_additive(part, ref)[1]
                                              for part in (folded[:m.start()], folded[m.end():])):
            out.extend(span for span in (_trim(text, s, s + m.start()), _trim(text, s + m.end(), e)) if span)
        else:
            out.append((s, e))
    return out
