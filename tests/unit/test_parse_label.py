"""parse_label end to end on invented labels in four languages (clean text and OCR-like text)."""
from __future__ import annotations

import pytest

from checker.models import PARTICULAR_KEYS, ParsedLabel
from checker.parsing import parse_label
from checker.reference import ReferenceData, default_reference

NL_LABEL = """Darmvita Zink Butyraat
Voedingssupplement met zinkbutyraat · 120 capsules
Ingrediënten: zinkbutyraat (58 %), vulstof: rijstmeel, capsule: hypromellose,
antiklontermiddelen: magnesiumstearaat, siliciumdioxide.
Kan sporen van selderij bevatten.
Per capsule\t
Zinkbutyraat\t400 mg
Gebruik: 1 capsule per dag bij het ontbijt.
Overschrijd de aanbevolen dagdosis niet. Voedingssupplementen zijn geen vervanging van een
gevarieerde voeding. Buiten bereik van kinderen houden. Droog bewaren beneden 25 °C.
THT en partij: zie bodem.
Darmvita B.V., Stationsweg 8, 3811 MK Amersfoort"""

EN_LABEL = """Brightgut Calcium Butyrate
Dietary supplement · 90 capsules
Supplement Facts
Serving Size 3 Capsules\tServings Per Container 30
Calcium Butyrate\t1,500 mg
Other ingredients: HPMC (capsule), microcrystalline cellulose, soy lecithin, titanium dioxide (color).
Contains: soy.
Directions: Take 3 capsules once daily with food. Do not exceed the recommended dose.
Cures IBS and heals colitis.
*These statements have not been evaluated by the Food and Drug Administration. This product is not
intended to diagnose, treat, cure, or prevent any disease.
Keep out of reach of children. Store in a cool, dry place.
Manufactured in a GMP facility. Lot and Exp: see bottom.
Distributed by Brightgut Inc., 400 Pine Street, Austin, TX 78701"""

DE_LABEL = """Nahrungsergänzungsmittel mit Magnesiumbutyrat · 60 Kapseln
Zutaten: Magnesiumbutyrat, Weizenstärke, Überzugsmittel: Schellack, Farbstoff: Tartrazin.
Frei von Laktose und Gelatine.
Verzehrempfehlung: Täglich 2 Kapseln mit Wasser einnehmen.
Hergestellt in der EU."""

FR_LABEL = """Complément alimentaire postbiotique · 30 sachets de 3 g
Ingrédients : maltodextrine, Lactobacillus gasseri KG-7 inactivé par la chaleur, arôme naturel,
édulcorant : sucralose.
Sans dioxyde de titane · sans gluten.
Peut contenir des traces de lait.
Mélanger 1 sachet par jour dans un verre d'eau. Ne pas dépasser la dose journalière recommandée.
Ne se substitue pas à une alimentation variée. Tenir hors de portée des jeunes enfants.
Conserver à l'abri de l'humidité. Poids net : 90 g. DDM : 04/2028 · Lot : FR2291
Laboratoires Biolys SAS, 5 rue des Lilas, 44000 Nantes
Analysé par un laboratoire indépendant."""

# NL/FR label: the same list twice; only the Dutch one becomes `ingredients`
BILINGUAL_LABEL = """Voedingssupplement · Complément alimentaire — 60 capsules · 60 gélules
Ingrediënten · Ingrédients
NL: natriumbutyraat, rijstmeel, antiklontermiddel: siliciumdioxide (E 551).
FR : butyrate de sodium, farine de riz, anti-agglomérant : dioxyde de silicium (E 551).
NL: 2 capsules per dag. FR : 2 gélules par jour."""

# what Tesseract makes of a label: broken heading, hyphenation, | for 1, blank lines, no spaces after commas
OCR_LABEL = """Voedingssupplement met natriumbutyraat - 60 capsules

lngrediënten

Natriumbutyraat (70 %),vulstof: microkristallijne cellulose,capsulewand: hydroxypropyl-
methylcellulose, antiklontermiddel: magnesiumstearaat.

Per capsule

Natriumbutyraat 500 mg
Neem 2 keer per dag | capsule met water.

De aanbevolen dagelijkse dosis niet overschrijden. Buiten het bereik van jonge kinderen
bewaren."""


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return default_reference()


def _e_numbers(label: ParsedLabel) -> list[str]:
    return sorted({i.e_number for i in label.ingredients if i.e_number})


def _allergens(label: ParsedLabel) -> list[str]:
    return sorted({a for i in label.ingredients for a in i.allergens})


def _missing(label: ParsedLabel) -> list[str]:
    return sorted(k for k, p in label.particulars.items() if not p.present)


@pytest.mark.parametrize(("text", "language", "e_numbers", "allergens", "traces", "missing"), [
    (NL_LABEL, "nl", ["E464", "E470b", "E551"], [], ["celery"], ["independent_testing"]),
    (EN_LABEL, "en", ["E171", "E322", "E460", "E464"], ["soybeans"], [],
     ["diet_statement", "independent_testing"]),
    (DE_LABEL, "de", ["E102", "E904"], ["gluten"], [],
     ["best_before", "children_warning", "diet_statement", "independent_testing", "lot", "operator",
      "overdose_warning", "storage"]),
    (FR_LABEL, "fr", ["E955"], [], ["milk"], []),
    (OCR_LABEL, "nl", ["E460", "E464", "E470b"], [], [],
     ["best_before", "diet_statement", "independent_testing", "lot", "operator", "storage"]),
])
def test_labels(text: str, language: str, e_numbers: list[str], allergens: list[str], traces: list[str],
                missing: list[str], ref: ReferenceData) -> None:
    label = parse_label(text, ref)
    assert label.text == text
    assert label.language == language
    assert _e_numbers(label) == e_numbers
    assert _allergens(label) == allergens
    assert label.traces == traces
    assert list(label.particulars) == list(PARTICULAR_KEYS)
    assert _missing(label) == missing


def test_spans_are_offsets_in_the_input(ref: ReferenceData) -> None:
    for text in (NL_LABEL, EN_LABEL, FR_LABEL, OCR_LABEL, BILINGUAL_LABEL):
        for ing in parse_label(text, ref).ingredients:
            assert ing.span is not None
            printed = " ".join(text[ing.span[0]:ing.span[1]].split())
            assert printed == ing.text or printed.replace("- ", "-") == ing.text.replace("- ", "-")


def test_bilingual_list_is_not_counted_twice(ref: ReferenceData) -> None:
    label = parse_label(BILINGUAL_LABEL, ref)
    assert label.language == "nl"
    assert [i.text for i in label.ingredients] == [
        "natriumbutyraat", "rijstmeel", "antiklontermiddel: siliciumdioxide (E 551)"]
    assert [a.id for a in label.actives].count("sodium-butyrate") == 1


def test_translation_confirms_an_unreadable_item(ref: ReferenceData) -> None:
    text = ("Ingrediënten · Ingrédients\n"
            "NL: natriumbutyraat, emulgator: s0ja1ecith1ne, antiklontermiddel: s#l#c#umd#ox#de.\n"
            "FR : butyrate de sodium, émulsifiant : lécithine de soja, "
            "anti-agglomérant : dioxyde de silicium.")
    label = parse_label(text, ref)
    assert [i.e_number for i in label.ingredients] == [None, "E322", "E551"]
    assert label.ingredients[1].allergens == ["soybeans"]
    assert label.ingredients[2].text == "antiklontermiddel: s#l#c#umd#ox#de"


def test_claims_and_disclaimer(ref: ReferenceData) -> None:
    claims = parse_label(EN_LABEL, ref).claims
    assert [c.term for c in claims] == ["IBS"]
    assert parse_label(NL_LABEL, ref).claims == []


def test_postbiotic_wording_and_standards(ref: ReferenceData) -> None:
    fr = parse_label(FR_LABEL, ref)
    assert fr.postbiotic_wording == "postbiotique"
    assert fr.particulars["independent_testing"].present
    en = parse_label(EN_LABEL, ref)
    assert en.postbiotic_wording is None
    assert "gmp" in en.process_standards and not en.particulars["independent_testing"].present


def test_free_from_line_gives_no_additive_and_trace_no_allergen(ref: ReferenceData) -> None:
    label = parse_label(FR_LABEL, ref)
    assert "E171" not in _e_numbers(label)
    assert "milk" in label.traces and "milk" not in _allergens(label)
    assert [i.kind for i in label.ingredients][:2] == ["other", "microorganism"]


def test_actives_and_serving_are_filled(ref: ReferenceData) -> None:
    label = parse_label(NL_LABEL, ref)
    assert [a.id for a in label.actives] == ["zinc-butyrate"]
    assert label.serving.units_per_day_max == 1
    assert label.particulars["net_quantity"].value == "120 capsules"
    assert label.particulars["best_before"].value == "zie bodem"


def test_no_ingredient_list(ref: ReferenceData) -> None:
    label = parse_label("Probiotic capsules\nTake 1 capsule daily.\nKeep out of reach of children.", ref)
    assert label.ingredients == [] and not label.particulars["ingredients"].present
    assert label.particulars["daily_dose"].present
