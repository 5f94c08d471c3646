"""Which butyrate form a name denotes (4 languages, compounds, OCR slips); "of which butyric acid" clauses."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from checker.models import Amount
from checker.parsing._text import memo
from checker.parsing.amounts import find_amounts
from checker.reference import ButyrateForm, ReferenceData
from checker.textnorm import fold, fold_keep_offsets

UNSPECIFIED = "butyrate-unspecified"
ACID = "butyric-acid"
_FALLBACK_BUTYRATE_WORDS = ("butyrate", "butyraat", "butyrat")
_MASSES = ("mg", "g", "ug")

# never butyrate: beta-hydroxybutyrate (BHB, a ketone body), "butyrate-producing bacteria"
_NOT_BUTYRATE = re.compile(
    r"(?:\bβ|\bbeta|\b3|\bd|\bl|\bss)?[\s\-]*hydroxy[\s\-]*butyr\w*|\bbhb\b"
    r"|butyr\w*[\s\-]*(?:producing|producerende|produzierende|productrices?|vormende|bildende)")
# markers of a line that declares the butyric acid inside another active ("of which butyric acid 480 mg")
_STRONG_MARKERS = (r"of which|whereof|thereof|waarvan|hiervan|daarvan|davon|hiervon|dont|including"
                   r"|waaronder|darunter|inclusief")
# weaker markers: a declaration only when another form is named before them ("Each capsule provides ...")
_WEAK_MARKERS = (r"providing|provides|provide|supplying|supplies|yielding|yields|equivalent to|equivalent"
                 r"|equiv\.?|equals|equal to|entspricht|entsprechend|entsprechen|aquivalent zu|aquivalent"
                 r"|soit"
                 r"|correspondant a|correspond a|corresponding to|overeenkomend met|overeenkomstig met"
                 r"|overeenkomstig|komt overeen met|goed voor|levert|liefert|apporte|apportant|fournit"
                 r"|fournissant|als|as|=|i\.e\.|d\.h\.")
_EQUIV_AFTER = r"[\s\-]*(?:equivalents?|aquivalents?|equivalente|gehalte|content|anteil|teneur|inhoud)"
# between coordinated metals: "Calcium- und Magnesiumbutyrat", "calcium, magnesium & zinc butyrate"
_COORD_SEP = r"(?:-?\s*(?:,|&|/|\+|\band\b|\ben\b|\bund\b|\bet\b|\bor\b|\boder\b|\bou\b|\bof\b)\s*|-)"
_FR_OF = r"\s+(?:de\s+|d')"  # "butyrate de sodium", "butyrate d'..."
_LONG_WORD = re.compile(r"[a-z]{7,}")
_INDEL_MIN_LEN = 9  # a dropped or doubled letter is only corrected in long names


@dataclass(frozen=True)
class FormMention:
    """A butyrate form named in text, with the printed span."""

    form: ButyrateForm
    start: int
    end: int


@dataclass(frozen=True)
class Declaration:
    """A "of which butyric acid 480 mg" clause: the acid named there is content, not an active."""

    start: int
    end: int
    strong: bool  # "of which / waarvan / davon / dont" (always a declaration)
    amount: Amount | None


# ---------------------------------------------------------------- vocabulary built from reference/
@dataclass(frozen=True)
class _Vocab:
    names: tuple[tuple[re.Pattern[str], ButyrateForm], ...]  # every reference name, longest first
    metal_forms: dict[str, ButyrateForm]  # folded metal word ("natrium", "sodium") -> form
    coordinated: re.Pattern[str] | None  # "Calcium- und Magnesiumbutyrat", "butyrate de Ca et de Mg"
    compound: re.Pattern[str] | None  # "natrium-butyraat", "sodium butyrate", "butyrate de sodium"
    metal_word: re.Pattern[str] | None
    declaration: re.Pattern[str]  # "of which butyric acid", "Buttersäure-Äquivalent"
    slip_words: frozenset[str]  # name words OCR slips are corrected to ("butyrate", "tributyrine")
    suffixes: frozenset[str]  # butyrate words that end a compound ("natrium|butyraat")
    word_forms: dict[str, ButyrateForm]  # one-word names -> form


_CACHE: dict[int, tuple[ReferenceData, _Vocab]] = {}


def _vocab(ref: ReferenceData) -> _Vocab:
    """The vocabulary of `ref`, built once per reference object."""
    hit = _CACHE.get(id(ref))
    if hit is None or hit[0] is not ref:
        hit = (ref, _build_vocab(ref))
        _CACHE[id(ref)] = hit
    return hit[1]


def _alt(words: set[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _flex(folded_name: str) -> str:
    """Regex for a folded name: spaces and hyphens interchangeable, a plural -s allowed."""
    parts = [re.escape(p) for p in re.split(r"[\s\-]+", folded_name) if p]
    return r"[\s\-]+".join(parts) + r"s?"


def _butyrate_words(ref: ReferenceData) -> set[str]:
    """"butyrate", "butyraat", "butyrat": the names of the unspecified form."""
    unspecified = ref.form(UNSPECIFIED)
    words = {fold(n) for n in unspecified.names.all()} if unspecified else set()
    return {w for w in words if " " not in w} or set(_FALLBACK_BUTYRATE_WORDS)


def _metal_words(ref: ReferenceData, butyrate_word: str) -> dict[str, ButyrateForm]:
    """Metal words read off the salt names: "natrium" (natriumbutyraat), "sodium" (butyrate de sodium)."""
    shape = re.compile(rf"(?P<m>[a-z]{{4,}})[\s\-]?(?:{butyrate_word})"
                       rf"|(?:{butyrate_word}){_FR_OF}(?P<m2>[a-z]{{4,}})")
    out: dict[str, ButyrateForm] = {}
    for form in ref.butyrate_forms:
        if not form.metal:
            continue
        out[fold(form.metal)] = form
        for name in form.names.all():
            m = shape.fullmatch(fold(name))
            if m:
                out[m.group("m") or m.group("m2")] = form
    return out


def _build_vocab(ref: ReferenceData) -> _Vocab:
    bwords = _butyrate_words(ref)
    bw = _alt(bwords)
    metal_forms = _metal_words(ref, bw)
    metal = _alt(set(metal_forms))
    names = sorted(((fold(n), f) for f in ref.butyrate_forms for n in f.names.all()),
                   key=lambda t: len(t[0]), reverse=True)
    acid_form = ref.form(ACID)
    acid = "|".join(_flex(fold(a)) for a in (acid_form.names.all() if acid_form else ("butyric acid",)))
    declaration = re.compile(
        rf"(?<![a-z])(?:(?P<strong>{_STRONG_MARKERS})|(?P<weak>{_WEAK_MARKERS}))(?![a-z])[^.;\n]{{0,30}}?"
        rf"(?<![a-z])(?:{acid})(?![a-z])(?:{_EQUIV_AFTER})?"
        rf"|(?<![a-z])(?:{acid})(?:{_EQUIV_AFTER})(?![a-z])")
    coordinated = compound = metal_word = None
    if metal:
        coordinated = re.compile(
            rf"(?<![a-z])(?P<list>(?:{metal})(?:{_COORD_SEP}(?:{metal}))+)-?[\s\-]?(?:{bw})s?(?:en)?(?![a-z])"
            rf"|(?<![a-z])(?:{bw})s?{_FR_OF}(?P<fr>(?:{metal})(?:\s*(?:,|et|ou)\s*(?:de\s+|d')?(?:{metal}))+)"
            r"(?![a-z])")
        compound = re.compile(rf"(?<![a-z])(?P<metal>{metal})[\s\-]?(?:{bw})s?(?:en)?(?![a-z])"
                              rf"|(?<![a-z])(?:{bw})s?{_FR_OF}(?P<metal2>{metal})(?![a-z])")
        metal_word = re.compile(rf"(?<![a-z])(?:{metal})(?![a-z])")
    tokens = {t for n, _ in names for t in re.split(r"[\s\-']+", n)}
    slip_words = frozenset(t for t in tokens
                           if _LONG_WORD.fullmatch(t) and re.search(r"butyr|boter|butter", t))
    return _Vocab(
        names=tuple((re.compile(rf"(?<![a-z]){_flex(n)}(?![a-z])"), f) for n, f in names),
        metal_forms=metal_forms, coordinated=coordinated, compound=compound, metal_word=metal_word,
        declaration=declaration, slip_words=slip_words,
        suffixes=frozenset(w for w in bwords if len(w) >= 7),
        word_forms={n: f for n, f in names if _LONG_WORD.fullmatch(n)})


# ---------------------------------------------------------------- OCR slips
def _read_slips(text: str, v: _Vocab) -> tuple[str, list[tuple[int, int, ButyrateForm]]]:
    """Folded text with one-letter OCR substitutions in butyrate names corrected ("butyrale" -> "butyrate"),
    and the spans of one-word names with one letter dropped or doubled ("natriumbutyraaat"), which cannot
    be rewritten in place without moving offsets."""
    work = list(fold_keep_offsets(text))
    misread: list[tuple[int, int, ButyrateForm]] = []
    for m in _LONG_WORD.finditer("".join(work)):
        token = m.group(0)
        if token in v.slip_words:
            continue
        fixed = next((w for w in v.slip_words if _one_slip(token, w)), None) or _compound_slip(token, v)
        if fixed is not None:
            work[m.start():m.end()] = list(fixed)
        elif len(token) >= _INDEL_MIN_LEN:
            near = next((w for w in v.word_forms
                         if abs(len(w) - len(token)) == 1 and Levenshtein.distance(token, w) == 1), None)
            if near is not None:
                misread.append((m.start(), m.end(), v.word_forms[near]))
    return "".join(work), misread


def _compound_slip(token: str, v: _Vocab) -> str | None:
    """"natriumbutyraal" -> "natriumbutyraat": a metal word followed by a butyrate word with one slip."""
    for suffix in v.suffixes:
        head, tail = token[:-len(suffix)], token[-len(suffix):]
        if head in v.metal_forms and _one_slip(tail, suffix):
            return head + suffix
    return None


def _one_slip(a: str, b: str) -> bool:
    """Same length, exactly one character different (an OCR substitution: "Butyrale" for "Butyrate")."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


# ---------------------------------------------------------------- public matchers
def find_declarations(text: str, ref: ReferenceData) -> list[Declaration]:
    """Clauses that declare butyric acid content ("waarvan boterzuur 480 mg", "(providing 960 mg butyric
    acid)", "Buttersäure-Äquivalent 848 mg"), each with the declared mass when printed."""
    v = _vocab(ref)
    folded = _read_slips(text, v)[0]
    amounts = find_amounts(text)
    out: list[Declaration] = []
    for m in v.declaration.finditer(folded):
        end = m.end()
        following = next(((s, e) for _, s, e in amounts if s >= end), None)
        if following and not folded[end:following[0]].strip(" :=()\t"):
            end = following[1]  # "of which butyric acid: 480 mg"
        declared = [a for a, s, e in amounts if m.start() <= s and e <= end and a.unit in _MASSES]
        strong = m.group("strong") is not None or m.group("weak") is None
        out.append(Declaration(m.start(), end, strong, declared[0] if declared else None))
    return out


def find_butyrate_forms(text: str, ref: ReferenceData, *,
                        declarations: list[Declaration] | None = None) -> list[FormMention]:
    """Every butyrate form named in `text` (whole words, folded), coordinated names expanded
    ("Calcium- und Magnesiumbutyrat" -> both); never BHB, never the acid of an "of which" clause."""
    v = _vocab(ref)
    folded, misread = _read_slips(text, v)
    work = list(folded)
    found: list[FormMention] = []

    def mask(start: int, end: int) -> None:
        work[start:end] = " " * (end - start)

    for m in _NOT_BUTYRATE.finditer(folded):
        mask(m.start(), m.end())
    for d in find_declarations(text, ref) if declarations is None else declarations:
        mask(d.start, d.end)
    if v.coordinated is not None and v.metal_word is not None:
        for m in v.coordinated.finditer("".join(work)):
            for metal in v.metal_word.finditer(m.group("list") or m.group("fr")):
                found.append(FormMention(v.metal_forms[metal.group(0)], m.start(), m.end()))
            mask(m.start(), m.end())
    if v.compound is not None:
        for m in v.compound.finditer("".join(work)):
            metal = m.group("metal") or m.group("metal2")
            found.append(FormMention(v.metal_forms[metal], m.start(), m.end()))
            mask(m.start(), m.end())
    for regex, form in v.names:  # longest first, so "butyrate" alone only matches what is left
        for m in regex.finditer("".join(work)):
            found.append(FormMention(form, m.start(), m.end()))
            mask(m.start(), m.end())
    found.extend(FormMention(form, s, e) for s, e, form in misread if "".join(work[s:e]).strip())
    found.sort(key=lambda f: f.start)
    return found


def drop_unspecified(forms: list[FormMention]) -> list[FormMention]:
    """"Butyrate (as calcium butyrate)": the named salt is the active."""
    if any(f.form.id != UNSPECIFIED for f in forms):
        return [f for f in forms if f.form.id != UNSPECIFIED]
    return forms


def match_butyrate_forms(text: str, ref: ReferenceData) -> list[ButyrateForm]:
    """The butyrate forms a name denotes, in order, each once ("Calcium- und Magnesiumbutyrat" -> both)."""
    table = memo(ref, "butyrate-forms")
    if text not in table:
        table[text] = tuple(_match_butyrate_forms(text, ref))
    return list(table[text])


def _match_butyrate_forms(text: str, ref: ReferenceData) -> list[ButyrateForm]:
    out: list[ButyrateForm] = []
    for mention in drop_unspecified(find_butyrate_forms(text, ref)):
        if all(f.id != mention.form.id for f in out):
            out.append(mention.form)
    return out


def match_butyrate_form(text: str, ref: ReferenceData) -> ButyrateForm | None:
    """Which butyrate form a name denotes ("Natriumbutyraat" -> sodium-butyrate), or None."""
    forms = match_butyrate_forms(text, ref)
    return forms[0] if forms else None
