"""OCR-noise correction against the reference vocabulary: words, split and merged words, evidence."""
from __future__ import annotations

import time

import pytest

from checker.parsing.fuzzy import (
    Corrected,
    allowed_edits,
    correct_text,
    match_word,
    regex_phrases,
    regex_words,
    skeleton,
    vocabulary,
)
from checker.reference import ReferenceData, default_reference


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return default_reference()


@pytest.mark.parametrize(("token", "expected"), [
    # the usual confusions (l/I/1, rn/m, 0/O, c/e, ii/u, lt/k) map to one skeleton
    ("butyrale", "butyrate"),
    ("natriurnbutyraat", "natriumbutyraat"),
    ("rnagnesiumstearaat", "magnesiumstearaat"),
    ("hydroxypropyimethyicellulose", "hydroxypropylmethylcellulose"),
    ("siliciurndioxide", "siliciumdioxide"),
    ("capsiiles", "capsules"),
    ("hakbar", "haltbar"),
    ("taghch", "taglich"),  # li read as h once, the printed h kept
    ("ingrcdienten", "ingredienten"),
    ("t1tandioxid", "titandioxid"),
    # one or two other slips in a long word
    ("lactobacilhis", "lactobacillus"),
    ("verzehremptehiung", "verzehrempfehlung"),
    ("nahrungserganwungsmitel", "nahrungserganzungsmittel"),
    ("sucraluse", "sucralose"),
    ("thbutyrine", "tributyrine"),  # ri read as h
    # a last letter lost that no inflection adds
    ("paracase", "paracasei"),
    ("bifidobacteriu", "bifidobacterium"),
    ("dagdoserin", "dagdosering"),  # a day-dose word of the serving parser
    # known words, real words near a vocabulary word, other forms of a word: left alone
    ("capsule", None),
    ("taking", None),  # not "caking"
    ("femmes", None),  # not "fermes"
    ("supplements", None),  # plural of "supplement"
    ("kapsel", None),
    # short words only by their skeleton; codes never
    ("tale", None),
    ("dose", None),
    ("lp299v", None),
    ("e551", None),
    # a sensitive word (disease, banned additive, allergen) needs a near-exact reading
    ("cancel", None),
    ("weisen", None),
])
def test_match_word(token: str, expected: str | None, ref: ReferenceData) -> None:
    assert match_word(token, vocabulary(ref)) == expected


@pytest.mark.parametrize(("length", "junk", "edits"), [
    (4, True, 0), (5, False, 0), (6, True, 1), (7, False, 1), (9, False, 1), (10, False, 2), (14, False, 3),
])
def test_allowed_edits_grow_with_length(length: int, junk: bool, edits: int) -> None:
    assert allowed_edits(length, junk) == edits


@pytest.mark.parametrize(("word", "expected"), [
    ("lngredients", "lngredlents"),
    ("rnagnesium", "magneslum"),
    ("0mega", "omega"),
    ("5ucralose", "sueralose"),
])
def test_skeleton_maps_confusions_to_one_letter(word: str, expected: str) -> None:
    assert skeleton(word) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # words split by OCR (spaces, line-end hyphens, a lost ij)
    ("Natt iumbuty raat 600 mg", "Natriumbutyraat 600 mg"),
    ("voedin gssul jement", "voedingssupplement"),
    ("Ingre-\ndiënten: rijstmeel", "Ingredienten: rijstmeel"),
    ("hydrox} propy imethy jceltulose", "hydroxypropylmethylcellulose"),
    # words merged by OCR
    ("Neem 1 capsuleper dag", "Neem 1 capsule per dag"),
    ("1 géluleparjour", "1 gelule par jour"),
    ("waarvanboterzuur 480 mg", "waarvan boterzuur 480 mg"),
    ("Aconsommer de préférence", "A consommer de préférence"),
    ("Keepout of the reach of children", "Keep out of the reach of children"),
    # letter slips, ß read as B, an unclosed "(" read for a C, E-numbers with letters for digits
    ("Buryrale de sodium", "Butyrate de sodium"),
    ("AuBerhalb der Reichweite", "Ausserhalb der Reichweite"),
    ("May ( ontain traces of nuts", "May contain traces of nuts"),
    ("anti-agglomérant : dioxyde de silicium (E55!)", "anti-agglomérant : dioxyde de silicium (E551)"),
    # a word read one edit further away when it makes a reference phrase with its neighbour
    ("Die Menge dart nicht überschritten werden.", "Die Menge darf nicht überschritten werden."),
    ("Do not exe ged the recommended dose.", "Do not exceed the recommended dose."),
    # nothing to correct: clean text, brand names, codes, legal forms, strain codes
    ("Velora Health B.V., Lindenlaan 41, Utrecht", "Velora Health B.V., Lindenlaan 41, Utrecht"),
    ("Lactobacillus paracasei VT-52 inactivé", "Lactobacillus paracasei VT-52 inactivé"),
    ("Tributyrin is a triglyceride that carries three butyrate units",
     "Tributyrin is a triglyceride that carries three butyrate units"),
    ("levende bifidobacteriën", "levende bifidobacteriën"),  # not the genus name (lower case)
    ("Lot: L24-0917 · EXP 03/2028", "Lot: L24-0917 · EXP 03/2028"),
    ("Butyrate (as oil", "Butyrate (as oil"),
])
def test_correct_text(text: str, expected: str, ref: ReferenceData) -> None:
    assert correct_text(text, ref).text == expected


def test_a_corrected_word_keeps_the_printed_text_as_evidence(ref: ReferenceData) -> None:
    text = "Ingrediënten: Natt iumbuty raat (64 %), siliciurndioxide.\nNeem 1 capsuleper dag."
    c = correct_text(text, ref)
    start = c.text.index("Natriumbutyraat")
    assert c.span(start, start + len("Natriumbutyraat")) == (14, 31)
    assert c.printed(start, start + len("Natriumbutyraat")) == "Natt iumbuty raat"
    restored = c.restore("Natriumbutyraat (64 %), siliciumdioxide.")
    assert restored == "Natt iumbuty raat (64 %), siliciurndioxide."
    assert c.restore("Neem 1 capsule per dag.") == "Neem 1 capsuleper dag."
    assert c.restore("Ingrediënten:") == "Ingrediënten:"  # nothing corrected there: unchanged
    assert [(x.printed, x.word) for x in c.corrections] == [
        ("Natt iumbuty raat", "Natriumbutyraat"), ("siliciurndioxide", "siliciumdioxide"),
        ("capsuleper", "capsule per")]


def test_restore_keeps_a_clipped_evidence_clipped(ref: ReferenceData) -> None:
    c = correct_text("Bewaren buiten het bereik van jonge kinderen. Natriurnbutyraat poeder", ref)
    assert c.restore("Natriumbutyraat…") == "Natriurnbutyraat…"


def test_clean_text_is_returned_unchanged(ref: ReferenceData) -> None:
    text = "Ingredients: sodium butyrate, hypromellose (capsule), magnesium stearate.\nTake 2 capsules daily."
    c = correct_text(text, ref)
    assert isinstance(c, Corrected) and c.text == text and c.corrections == ()
    assert c.span(3, 9) == (3, 9)


@pytest.mark.parametrize(("pattern", "whole", "partial"), [
    ("(?:aanbevolen )?dagdosis", {"aanbevolen", "dagdosis"}, set()),
    (r"psoria\w*", set(), {"psoria"}),
    ("[il1|!]ngr[e3c]d[il1][e3c]nts?", {"ingredient", "ingredients"}, set()),
    ("conseils? d.utilisation", {"conseil", "conseils", "d", "utilisation"}, set()),
])
def test_regex_words(pattern: str, whole: set[str], partial: set[str]) -> None:
    assert regex_words(pattern) == (whole, partial)


def test_regex_phrases_spell_out_the_optional_parts() -> None:
    assert regex_phrases("niet (?:te )?overschrijden") == ["niet overschrijden", "niet te overschrijden"]
    assert regex_phrases(r"\w*tablett?en", 0) == []  # the end of an unknown word is no phrase


def test_correction_is_fast_on_a_long_noisy_text(ref: ReferenceData) -> None:
    line = ("Ingrediënten: Natriurnbutyraat (64 %), vulstof: rnicrokristallijne celiulose, capsulewand: "
            "hydroxypropyimethyicellulose. Neem 2 keer per dag 1 capsu1e. Buiten bereik van kinderen.\n")
    correct_text(line, ref)  # the vocabulary is built once per process
    text = line * 40  # ~7,000 characters
    start = time.perf_counter()
    corrected = correct_text(text, ref)
    assert time.perf_counter() - start < 0.5
    assert corrected.text.count("Natriumbutyraat") == 40
