"""Finding the ingredient list(s), "may contain" traces and free-from lines in label text."""
from __future__ import annotations

import pytest

from checker.parsing.sections import find_ingredient_sections, find_traces, is_free_from, primary_section
from checker.reference import ReferenceData, default_reference
from checker.textnorm import fold


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return default_reference()


def _lists(text: str, ref: ReferenceData) -> list[str]:
    return [text[s.start:s.end] for s in find_ingredient_sections(text, ref)]


@pytest.mark.parametrize(("text", "expected"), [
    # heading on its own line, list below, ends at the final period
    ("Ingrediënten\nRijstmeel, zinkcitraat, capsule: hypromellose.\nGebruik\nNeem 1 capsule per dag.",
     "Rijstmeel, zinkcitraat, capsule: hypromellose"),
    ("Ingredients:\nmaltodextrin, calcium butyrate, silica.\nTake 2 capsules daily.",
     "maltodextrin, calcium butyrate, silica"),
    # heading and list on the same line
    ("Zutaten: Reismehl, Zinkbutyrat, Überzugsmittel: Schellack. Kühl lagern.",
     "Reismehl, Zinkbutyrat, Überzugsmittel: Schellack"),
    ("Ingrédients : farine de riz, butyrate de calcium, agent de charge : cellulose.",
     "farine de riz, butyrate de calcium, agent de charge : cellulose"),
    ("Other ingredients: cellulose, magnesium stearate.", "cellulose, magnesium stearate"),
    ("Samenstelling: tributyrine, zonnebloemolie, visgelatine.", "tributyrine, zonnebloemolie, visgelatine"),
    ("Inhaltsstoffe: Zinkbutyrat, Reismehl.", "Zinkbutyrat, Reismehl"),
    ("Ingredients: tributyrin oil.", "tributyrin oil"),
    # OCR noise in the heading: l for I, é for ë, a missing colon
    ("lngrediënten: rijstmeel, calciumbutyraat.", "rijstmeel, calciumbutyraat"),
    ("Ingrediénten\nrijstmeel, calciumbutyraat.", "rijstmeel, calciumbutyraat"),
    ("Ingrcdients: rice flour, zinc butyrate.", "rice flour, zinc butyrate"),
    # a list wrapped over lines (also over a blank line after a comma) stays one list
    ("Zutaten: Calciumbutyrat, Trennmittel: Magnesiumsalze der\nSpeisefettsäuren, Siliciumdioxid.",
     "Calciumbutyrat, Trennmittel: Magnesiumsalze der\nSpeisefettsäuren, Siliciumdioxid"),
    ("Ingredients: rice flour, zinc butyrate,\n\nhypromellose.",
     "rice flour, zinc butyrate,\n\nhypromellose"),
    # the list ends at a table, a new heading, a "may contain" line, a free-from line
    ("Ingredients: tributyrin, gelatin\nPer softgel\t\nTributyrin\t500 mg", "tributyrin, gelatin"),
    ("Ingredients: tributyrin, gelatin\nTributyrin 500 mg\nDirections: 1 a day", "tributyrin, gelatin"),
    ("Zutaten: Butyrat, Reismehl\nVerzehrempfehlung\n1 Kapsel täglich", "Butyrat, Reismehl"),
    ("Ingrédients : butyrate, gélule\nPeut contenir des traces de soja.", "butyrate, gélule"),
    ("Ingrediënten: butyraat, rijstmeel\nGlutenvrij en lactosevrij", "butyraat, rijstmeel"),
    ("Ingredients: tributyrin. May contain traces of milk.", "tributyrin"),
    # two columns read as one line: a capitalised heading with a colon ends the list
    ("Ingredients: rice flour, zinc butyrate   Directions: take 1 capsule daily.",
     "rice flour, zinc butyrate"),
    # a capitalised heading with a colon inside a line
    ("Butyrate Complex 60 caps Ingredients: sodium butyrate, rice flour.", "sodium butyrate, rice flour"),
    # abbreviations do not end the list
    ("Ingredients: L. plantarum (heat-killed), rice flour.", "L. plantarum (heat-killed), rice flour"),
    # a name broken after "de" goes on, even when the next line starts with a stop word ("Charge")
    ("Ingrédients : butyrate de calcium, agent de\ncharge : cellulose, anti-agglomérants :\n"
     "phosphate de calcium (E 341).\nConseils d'utilisation : 2 gélules par jour.",
     "butyrate de calcium, agent de\ncharge : cellulose, anti-agglomérants :\nphosphate de calcium (E 341)"),
    ("Ingredients: zinc butyrate, salts of\nfatty acids.", "zinc butyrate, salts of\nfatty acids"),
    # a colon after a function class read as a period, the additive after it on the same or the next line
    ("Zutaten\nNatriumbutyrat, Emulgator.\nSojalecithin, Trennmittel: Magnesiumsalze der Speisefettsäuren.",
     "Natriumbutyrat, Emulgator.\nSojalecithin, Trennmittel: Magnesiumsalze der Speisefettsäuren"),
    ("Zutaten\nNatriumbutyrat, Emulgator. Sojalecithin, Trennmittel: Magnesiumsalze der Speisefettsäuren.",
     "Natriumbutyrat, Emulgator. Sojalecithin, Trennmittel: Magnesiumsalze der Speisefettsäuren"),
    ("Ingredients: tributyrin, rice flour, capsule.\nTake 1 capsule a day.",
     "tributyrin, rice flour, capsule"),  # at the end of a line a period after a class ends the list
    # "!" is OCR's l, I or 1, not the end of the list, also where glare split the word over a blank line
    ("Samenstelling:\nnatriumbutyraat, vulstof: micro!\n\ntallijne cellulose, capsule.",
     "natriumbutyraat, vulstof: micro!\n\ntallijne cellulose, capsule"),
    # a speck OCR put on the heading's line (a letter of a table cell far to the right)
    ("Ingredients m\nTributyrin, softgel shell (bovine gelatine), sunflower oil.",
     "Tributyrin, softgel shell (bovine gelatine), sunflower oil"),
    ("Ingrcdients «\nrice flour, zinc butyrate.", "rice flour, zinc butyrate"),
])
def test_ingredient_list_extent(text: str, expected: str, ref: ReferenceData) -> None:
    assert _lists(text, ref) == [expected]


@pytest.mark.parametrize("text", [
    "Made with natural ingredients and no additives.",
    "Our ingredients: only the best.",
    "Onze ingrediënten komen uit Europa, zonder toevoegingen.",
    "Per capsule\nNatriumbutyraat 600 mg",
    "Inhaltsstoffe\nMagnesiumbutyrat\t600 mg",  # a nutrient table, not an ingredient list
    "Composition :\nButyrate de sodium 600 mg",
    "Take 1 capsule daily.",
    "",
])
def test_no_ingredient_list(text: str, ref: ReferenceData) -> None:
    assert find_ingredient_sections(text, ref) == []


def test_bilingual_list_gives_one_section_per_language(ref: ReferenceData) -> None:
    text = ("Ingrediënten · Ingrédients\n"
            "NL: zinkbutyraat, rijstmeel, antiklontermiddel: siliciumdioxide.\n"
            "FR : butyrate de zinc, farine de riz, anti-agglomérant : dioxyde de silicium.\n"
            "Per capsule · Par gélule\n"
            "NL: Neem 1 capsule per dag.")
    sections = find_ingredient_sections(text, ref)
    assert [(s.language, text[s.start:s.end]) for s in sections] == [
        ("nl", "zinkbutyraat, rijstmeel, antiklontermiddel: siliciumdioxide"),
        ("fr", "butyrate de zinc, farine de riz, anti-agglomérant : dioxyde de silicium")]
    assert primary_section(sections, "nl") is sections[0]
    assert primary_section(sections, "fr") is sections[1]
    assert primary_section(sections, None) is sections[0]


def test_two_headed_lists_in_two_languages(ref: ReferenceData) -> None:
    text = ("Ingrediënten: rijstmeel, zinkbutyraat. Ingrédients : farine de riz, butyrate de zinc.\n"
            "Zutaten: Reismehl, Zinkbutyrat.")
    sections = find_ingredient_sections(text, ref)
    assert [text[s.start:s.end] for s in sections] == [
        "rijstmeel, zinkbutyraat", "farine de riz, butyrate de zinc", "Reismehl, Zinkbutyrat"]
    assert sections[0].language == "nl" and sections[2].language == "de"
    assert primary_section(sections, "de") is sections[2]


@pytest.mark.parametrize(("text", "expected"), [
    ("May contain traces of peanuts and sesame.", ["peanuts", "sesame"]),
    ("Produced in a facility that also handles milk and eggs.", ["eggs", "milk"]),
    ("Kan sporen van noten en soja bevatten.", ["soybeans", "nuts"]),
    ("Kann Spuren von Sellerie und Senf enthalten.", ["celery", "mustard"]),
    ("Peut contenir des traces de lait et de fruits à coque.", ["milk", "nuts"]),
    ("Ingredients: rice flour. May contain traces of wheat.", ["gluten"]),
])
def test_traces(text: str, expected: list[str], ref: ReferenceData) -> None:
    assert sorted(find_traces(text, ref)) == sorted(expected)


@pytest.mark.parametrize("text", [
    "Contains milk.",  # an allergen statement, not a precautionary one
    "Free from gluten, lactose and soy.",
    "Sans gluten · sans lactose.",
    "Ingredients: soy lecithin, rice flour.",
])
def test_no_traces(text: str, ref: ReferenceData) -> None:
    assert find_traces(text, ref) == []


@pytest.mark.parametrize(("text", "free"), [
    ("sans dioxyde de titane", True),
    ("zonder toegevoegde suikers", True),
    ("ohne Gelatine", True),
    ("frei von Laktose", True),
    ("free from artificial colours", True),
    ("gluten-free", True),
    ("dioxyde de silicium", False),
    ("Sonnenblumenöl", False),
])
def test_free_from(text: str, free: bool, ref: ReferenceData) -> None:
    assert is_free_from(fold(text), ref) is free
