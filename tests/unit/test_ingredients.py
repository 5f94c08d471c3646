"""Splitting an ingredient list: function classes, sub-ingredients, E-numbers, kinds, allergens, spans."""
from __future__ import annotations

import pytest

from checker.models import Ingredient
from checker.parsing.ingredients import find_allergens, find_e_numbers, function_class, parse_ingredients
from checker.reference import ReferenceData, default_reference
from checker.textnorm import fold


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return default_reference()


def _parse(text: str, ref: ReferenceData, **kw: bool) -> list[Ingredient]:
    return parse_ingredients(text, 0, len(text), ref, **kw)


@pytest.mark.parametrize(("printed", "expected"), [
    ("E 551", ["E551"]),
    ("E-464", ["E464"]),
    ("e470b", ["E470b"]),
    ("E470(b)", ["E470b"]),
    ("E 470 b,", ["E470b"]),
    ("INS 330", ["E330"]),
    ("E341(iii)", ["E341"]),
    ("(E 306)", ["E306"]),
    ("E 551 E 470b", ["E551", "E470b"]),
    ("vitamin E 400 IU", []),
    ("vitamine E 12 mg", []),
    ("bee 1000", []),
])
def test_e_number_spellings(printed: str, expected: list[str]) -> None:
    assert find_e_numbers(fold(printed)) == expected


@pytest.mark.parametrize(("printed", "expected"), [
    ("antiklontermiddelen", "anti-caking agent"),
    ("Trennmittel", "anti-caking agent"),
    ("agent de charge", "bulking agent"),
    ("vulstof", "bulking agent"),
    ("anti-caking agent", "anti-caking agent"),
    ("antiklontcrmiddel", "anti-caking agent"),  # OCR slip
    ("Süßungsmittel", "sweetener"),
    ("rijstmeel", None),
])
def test_function_classes(printed: str, expected: str | None, ref: ReferenceData) -> None:
    assert function_class(printed, ref) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # (e_number, function) per ingredient, in order
    ("rijstmeel, antiklontermiddelen: magnesiumstearaat, siliciumdioxide",
     [(None, None), ("E470b", "anti-caking agent"), ("E551", "anti-caking agent")]),
    ("antiklontermiddel: E 551", [("E551", "anti-caking agent")]),
    ("agent de charge : cellulose microcristalline, anti-agglomérant : dioxyde de silicium (E 551)",
     [("E460", "bulking agent"), ("E551", "anti-caking agent")]),
    ("Füllstoff: Cellulose, Farbstoffe: Titandioxid, Eisenoxide",
     [("E460", "bulking agent"), ("E171", "colour"), ("E172", "colour")]),
    # a plural class stops at the first ingredient that is no additive
    ("sweeteners: sucralose, acesulfame K, lemon flavouring",
     [("E955", "sweetener"), ("E950", "sweetener"), (None, None)]),
    ("emulsifier (soy lecithin), rice flour", [("E322", "emulsifier"), (None, None)]),
    # a singular class that is not the next additive's function does not carry over
    ("capsule shell: gelatin, glycerol, sunflower lecithin", [(None, "capsule shell"), ("E422", None),
                                                              ("E322", None)]),
    ("magnesium stearate and silicon dioxide", [("E470b", None), ("E551", None)]),
    ("silicium dioxide", [("E551", None)]),
    ("sans dioxyde de titane, farine de riz", [(None, None)]),
    ("rice flour, silica, may contain traces of soy", [(None, None), ("E551", None)]),
])
def test_additives_and_classes(text: str, expected: list[tuple[str | None, str | None]],
                               ref: ReferenceData) -> None:
    assert [(i.e_number, i.function) for i in _parse(text, ref)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    # OCR damage: missing spaces, a word hyphenated over a line break, letter slips
    ("cellulose,magnesiumstearaat,siliciumdioxide", ["E460", "E470b", "E551"]),
    ("capsule: hydroxypropyl-\nmethylcellulose, rijstmeel", ["E464"]),
    ("Kapselhülle: Hydroxypropyl-\nmethylcellulose", ["E464"]),
    ("antiklontermiddel: magnesiumstearaaat", ["E470b"]),
    ("anti-caking agent: siliccn dioxide", ["E551"]),
    ("E 551 ,E 464", ["E551", "E464"]),
    ("Überzugsmittel: Hydroxypropylmethyicellulose", ["E464"]),  # not "...cellulose" E460
    ("vulstof: microkristalli jne cellulose", ["E460"]),
    # a glare speck read as "!" or "|" between the words of one name: not the shorter name after it
    ("capsule shell: hydroxypropyl! methylcellulose, colour: titanium dioxide", ["E464", "E171"]),
    ("capsulewand: hydroxypropyl | methylcellulose", ["E464"]),
])
def test_ocr_noise(text: str, expected: list[str], ref: ReferenceData) -> None:
    assert [i.e_number for i in _parse(text, ref) if i.e_number] == expected


def test_sub_ingredients_are_flattened_after_their_parent(ref: ReferenceData) -> None:
    text = "Zinc butyrate, softgel shell (fish gelatine, humectant: glycerol), sunflower oil"
    got = [(i.text, i.parent, i.e_number, i.allergens) for i in _parse(text, ref)]
    assert got == [
        ("Zinc butyrate", None, None, []),
        ("softgel shell", None, None, []),
        ("fish gelatine", 1, None, ["fish"]),
        ("humectant: glycerol", 1, "E422", []),
        ("sunflower oil", None, None, []),
    ]


def test_single_bracketed_additive_is_a_sub_ingredient(ref: ReferenceData) -> None:
    got = _parse("capsule (hypromellose), tributyrin", ref)
    assert [(i.e_number, i.function, i.text) for i in got] == [
        ("E464", "capsule shell", "capsule (hypromellose)"), (None, None, "tributyrin")]


@pytest.mark.parametrize(("text", "expected"), [
    ("Sojalecithin", ["soybeans"]),
    ("Weizenstärke", ["gluten"]),
    ("Milchzucker", ["milk"]),
    ("Lactose (aus Milch)", ["milk"]),
    ("lactose (uit melk)", ["milk"]),
    ("fish gelatin", ["fish"]),
    ("hazelnootpasta", ["nuts"]),
    ("wheat maltodextrin", []),
    ("maltodextrine (tarwe)", []),
    ("Gelatine (Rind)", []),
    ("bovine gelatine", []),
    ("Milchsäurebakterien", []),
    ("melkzuur", []),
    ("Eisenoxide", []),
    ("coconut milk powder", []),
    ("rice flour (may contain traces of milk)", []),
    ("Reismehl (kann Spuren von Weizen enthalten)", []),
])
def test_allergens_per_ingredient(text: str, expected: list[str], ref: ReferenceData) -> None:
    (ing,) = _parse(text, ref)
    assert ing.allergens == expected


def test_allergen_words_in_running_text(ref: ReferenceData) -> None:
    assert find_allergens(fold("traces of celery and mustard"), ref) == ["celery", "mustard"]


@pytest.mark.parametrize(("text", "kind", "ident"), [
    ("Natriumbutyraat (64 %)", "active", "sodium-butyrate"),
    ("butyrate de magnésium", "active", "magnesium-butyrate"),
    ("Tributyrin", "active", "tributyrin"),
    ("hitzebehandelter Lactobacillus paracasei XY-12", "microorganism", "microorganism"),
    ("Bifidobacterium longum", "microorganism", "microorganism"),
    ("vitamine D3", "nutrient", None),
    ("Zinkcitrat", "nutrient", None),
    ("vitamin C", "nutrient", None),
    ("antioxidant: ascorbic acid", "additive", "E300"),
    ("rijstmeel", "other", None),
    ("Gelatine", "other", None),
])
def test_kinds(text: str, kind: str, ident: str | None, ref: ReferenceData) -> None:
    (ing,) = _parse(text, ref)
    assert ing.kind == kind
    if ident is not None:
        assert ing.id == ident


@pytest.mark.parametrize(("text", "name", "kind", "amount"), [
    ("Vitamin D: 10 µg", "Vitamin D", "nutrient", "10 µg"),
    ("zinc (as zinc citrate) 10 mg", "zinc", "nutrient", "10 mg"),
    ("Lactobacillus reuteri (strain: DSM 17938)", "Lactobacillus reuteri", "microorganism", None),
    ("Lactobacillus reuteri strain: DSM 17938", "Lactobacillus reuteri", "microorganism", None),
])
def test_colons_and_brackets_that_are_no_class(text: str, name: str, kind: str, amount: str | None,
                                               ref: ReferenceData) -> None:
    (ing,) = _parse(text, ref)
    assert (ing.name, ing.kind, ing.amount.text if ing.amount else None) == (name, kind, amount)


def test_excipient_lists_count_dual_use_substances_as_additives(ref: ReferenceData) -> None:
    assert _parse("calcium carbonate", ref, inactive=True)[0].e_number == "E170"
    assert _parse("calcium carbonate", ref)[0].e_number is None


def test_quid_amount_and_display_names(ref: ReferenceData) -> None:
    sodium, cellulose = _parse("Natriumbutyraat (64 %), vulstof: microkristallijne cellulose", ref)
    assert sodium.amount is not None and (sodium.amount.value, sodium.amount.unit) == (64, "%")
    assert sodium.name == "sodium butyrate"
    assert cellulose.text == "vulstof: microkristallijne cellulose"
    assert cellulose.kind == "additive" and cellulose.name != "vulstof: microkristallijne cellulose"


def test_names_keep_the_printed_spelling(ref: ReferenceData) -> None:
    got = _parse("Süßungsmittel: Sucralose, Weißer Tee (Extrakt)", ref)
    assert [(i.text, i.name, i.function) for i in got] == [
        ("Süßungsmittel: Sucralose", "sucralose", "sweetener"), ("Weißer Tee (Extrakt)", "Weißer Tee", None)]


def test_spans_point_into_the_given_text(ref: ReferenceData) -> None:
    text = "Zutaten: Reismehl, Trennmittel: Magnesium-\nstearat, Farbstoff: E 171."
    start = text.index("Reismehl")
    got = parse_ingredients(text, start, len(text) - 1, ref)
    assert [text[i.span[0]:i.span[1]] for i in got] == [
        "Reismehl", "Trennmittel: Magnesium-\nstearat", "Farbstoff: E 171"]
    assert [i.e_number for i in got] == [None, "E470b", "E171"]


@pytest.mark.parametrize(("text", "expected"), [
    # French classes with plain additive names and E-numbers in odd forms
    ("agent de charge : amidon de maïs, anti-agglomérants : phosphate de calcium (E 341), "
     "stéarate de magnésium végétal",
     [(None, "bulking agent"), ("E341", "anti-caking agent"), ("E470b", "anti-caking agent")]),
    ("agent d'enrobage : gomme laque ; stabilisant : gomme arabique ; épaississant : gomme xanthane",
     [("E904", "glazing agent"), ("E414", "stabiliser"), ("E415", "thickener")]),
    ("phosphate tricalcique (E-341), dioxyde de silicium [E.551]", [("E341", None), ("E551", None)]),
    # a class name after "de la" belongs to the words before it: one item, not three
    ("tunique de la gélule : hydroxypropylméthylcellulose", [("E464", None)]),
])
def test_french_classes_and_e_numbers(text: str, expected: list[tuple[str | None, str | None]],
                                      ref: ReferenceData) -> None:
    assert [(i.e_number, i.function) for i in _parse(text, ref)] == expected


@pytest.mark.parametrize(("text", "e_number"), [
    ("Sojalecithin", "E322"),  # an additive name ending a compound word
    ("Sonnenblumenlecithin", "E322"),
    ("Kapselhülle: Methylcellulose", "E461"),
    # glare took the start of a longer name that ends the same way: which additive it was is not known
    ("Kapselhülle: cropytmethylcellulose", None),
    ("capsule: ropytmethyicellulose", None),
])
def test_a_compound_that_may_be_a_damaged_longer_name_names_no_additive(text: str, e_number: str | None,
                                                                       ref: ReferenceData) -> None:
    assert [i.e_number for i in _parse(text, ref) if i.e_number or i.kind == "additive"] == (
        [e_number] if e_number else [])
