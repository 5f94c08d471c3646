"""Text parser (step 3): label text -> ParsedLabel (language, ingredients, actives, particulars...)."""
from __future__ import annotations

import re

from checker.errors import InputError
from checker.models import Claim, Ingredient, ParsedLabel, Particular
from checker.parsing.claims import find_claims, find_postbiotic_wording
from checker.parsing.fuzzy import Corrected, correct_text
from checker.parsing.ingredients import parse_ingredients
from checker.parsing.language import detect_language
from checker.parsing.one_per_active import one_per_active
from checker.parsing.particulars import find_particulars
from checker.parsing.sections import (
    Section,
    find_headless_list,
    find_ingredient_sections,
    find_traces,
    primary_section,
)
from checker.reference import ReferenceData
from checker.textnorm import fold

# a long label is ~3,000 characters; the parser is linear but a pasted book is not a label
MAX_TEXT_CHARS = 30_000
_INACTIVE_HEADING = re.compile(r"\b(?:other|inactive|non-medicinal|overige|andere|sonstige|autres)\b")

# same-length replacements, so that every span found in the prepared text is valid in the input
_SAME_LENGTH = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                              "\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\r": " ",
                              "\u2019": "'", "\u2018": "'", "\u00b4": "'", "\ufb01": "f", "\ufb02": "f"})


# OCR reads label borders, column rules and shadows as marks at the ends of lines: "| Zutaten -",
# "_| Bütyrat,", "ontbijt |". A mark before a capital or a digit, or at the end, is blanked; "| capsule"
# stays (there "|" may be a 1).
# (one mark per repetition and runs of blanks taken whole: "(?:[|]+ *)+" is exponential on "||||||||x")
_EDGE_JUNK = re.compile(r"^[ \t]*(?:[|_~=«»©®•*\\][ \t]*)+(?=[A-ZÀ-Ý0-9\"'‚(])"
                        r"|(?<![ \t])[ \t]+[|_~=«»©®\\]+[ \t]*$", re.MULTILINE)


def prepare_text(text: str) -> str:
    """Unify dashes, quotes and odd spaces and blank border marks at line ends, without changing the
    length (offsets stay valid)."""
    text = text.translate(_SAME_LENGTH)
    return _EDGE_JUNK.sub(lambda m: " " * len(m.group()), text)


def parse_label(text: str, ref: ReferenceData) -> ParsedLabel:
    """Read everything the rules need from label text; spans are offsets in `text`. OCR-damaged words
    are read as the reference words they were meant to be; the evidence keeps what was printed.
    Raises InputError (text_too_long) above MAX_TEXT_CHARS characters."""
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"The text is {len(text):,} characters long; a label has at most "
                         f"{MAX_TEXT_CHARS:,}.", code="text_too_long")
    corrected = correct_text(prepare_text(text), ref)
    label = _restore(_parse(corrected.text, ref), text, corrected)
    # after the evidence is back in printed text: merged mentions join their printed evidence
    label.actives = one_per_active(label.actives)
    return label


def _parse(prepared: str, ref: ReferenceData) -> ParsedLabel:
    from checker.parsing.actives import find_actives
    from checker.parsing.serving import parse_serving

    language = detect_language(prepared)
    sections = find_ingredient_sections(prepared, ref)
    if not any(_recognised(prepared, s, ref) for s in sections):  # no list, or only noise under a heading
        headless = find_headless_list(prepared, ref)
        sections = [headless] if headless else sections
    primary = primary_section(sections, language)
    ingredients = _ingredients(prepared, primary, sections, ref)
    serving = parse_serving(prepared, ref)
    particulars, standards = find_particulars(prepared, ref, has_ingredients=primary is not None,
                                              serving=serving)
    if primary is not None:
        particulars["ingredients"] = Particular(True, None, " ".join(primary.heading.split()) or None)
    return ParsedLabel(
        text=prepared,
        language=language,
        ingredients=ingredients,
        actives=find_actives(prepared, ingredients, ref),
        serving=serving,
        particulars=particulars,
        traces=find_traces(prepared, ref),
        claims=find_claims(prepared, ref),
        postbiotic_wording=find_postbiotic_wording(prepared, ref),
        process_standards=standards,
    )


def _recognised(text: str, section: Section, ref: ReferenceData) -> bool:
    """Does the list name anything the reference knows (an additive, a class, an active, an amount)?"""
    return any(i.kind != "other" or i.function or i.e_number or i.amount
               for i in parse_ingredients(text, section.start, section.end, ref))


def _restore(label: ParsedLabel, text: str, corrected: Corrected) -> ParsedLabel:
    """Spans and evidence back in the printed text (names and values stay as read)."""
    label.text = text
    if not corrected.corrections:
        return label
    for ing in label.ingredients:
        if ing.span is not None:
            ing.span = corrected.span(*ing.span)
            ing.text = " ".join(text[ing.span[0]:ing.span[1]].split())
    for active in label.actives:
        active.evidence = corrected.restore(active.evidence) or active.evidence
    label.serving.evidence = corrected.restore(label.serving.evidence)
    for particular in label.particulars.values():
        particular.evidence = corrected.restore(particular.evidence)
    label.claims = [_restore_claim(claim, corrected) for claim in label.claims]
    label.postbiotic_wording = corrected.restore(label.postbiotic_wording)
    return label


def _restore_claim(claim: Claim, corrected: Corrected) -> Claim:
    """The printed sentence, and the printed disease word inside it (the rules check its confidence)."""
    sentence = corrected.locate(claim.text)
    if sentence is None:
        return claim
    term = corrected.locate(claim.term, *sentence)
    printed_term = " ".join(corrected.printed(*term).split()) if term else claim.term
    return Claim(" ".join(corrected.printed(*sentence).split()), printed_term)


def _ingredients(text: str, primary: Section | None, sections: list[Section],
                 ref: ReferenceData) -> list[Ingredient]:
    """The main-language list; the other languages' lists only confirm it (never added to it)."""
    if primary is None:
        return []
    ingredients = parse_ingredients(text, primary.start, primary.end, ref, inactive=_inactive(primary))
    for other in sections:
        if other is primary:
            continue
        translation = parse_ingredients(text, other.start, other.end, ref, inactive=_inactive(other))
        if not ingredients:
            ingredients = translation
        else:
            _confirm(ingredients, translation)
    return ingredients


def _confirm(ingredients: list[Ingredient], translation: list[Ingredient]) -> None:
    """Where the two lists have the same items, an item the main list could not read (OCR) takes the
    additive and allergens the translation found for it; its printed text and span stay."""
    main = [i for i in ingredients if i.parent is None]
    other = [i for i in translation if i.parent is None]
    if len(main) != len(other):
        return
    for ing, tr in zip(main, other, strict=True):
        if ing.kind == "other" and tr.kind == "additive" and tr.e_number:
            ing.kind, ing.id, ing.e_number, ing.name = "additive", tr.id, tr.e_number, tr.name
            ing.function = ing.function or tr.function
        if ing.kind == tr.kind and (ing.e_number == tr.e_number or ing.kind != "additive"):
            ing.allergens.extend(a for a in tr.allergens if a not in ing.allergens)


def _inactive(section: Section) -> bool:
    """"Other ingredients" / "inactive ingredients" lists hold excipients only."""
    return bool(_INACTIVE_HEADING.search(fold(section.heading)))


__all__ = ["MAX_TEXT_CHARS", "parse_label", "prepare_text"]
