"""Butyrate forms and actives: names in 4 languages, "of which" lines, tables as OCR prints them, merging."""
from __future__ import annotations

import pytest

from checker.models import Ingredient
from checker.parsing.actives import find_actives, find_declarations, match_butyrate_form, match_butyrate_forms
from checker.reference import default_reference

REF = default_reference()


@pytest.mark.parametrize("text, form_id", [
    ("Natriumbutyraat", "sodium-butyrate"),
    ("natrium butyraat", "sodium-butyrate"),
    ("Natrium-Butyrat", "sodium-butyrate"),
    ("sodium butyrate (enteric coated)", "sodium-butyrate"),
    ("butyrate de sodium", "sodium-butyrate"),
    ("Kaliumbutyrat", "potassium-butyrate"),
    ("butyrate de calcium", "calcium-butyrate"),
    ("calciumbutyraat (68 %)", "calcium-butyrate"),
    ("Butyrate de magnésium", "magnesium-butyrate"),
    ("BUTYRATE DE MAGNESIUM", "magnesium-butyrate"),
    ("zinc butyrate", "zinc-butyrate"),
    ("tributyrine", "tributyrin"),
    ("Glycerintributyrat", "tributyrin"),
    ("Tributyrin (CoreBiome®)", "tributyrin"),
    ("Butyrat", "butyrate-unspecified"),
    ("butyraat", "butyrate-unspecified"),
    ("Butyrate (as calcium butyrate)", "calcium-butyrate"),
    ("butyric acid", "butyric-acid"),
    ("boterzuur", "butyric-acid"),
])
def test_match_butyrate_form(text, form_id):
    form = match_butyrate_form(text, REF)
    assert form is not None and form.id == form_id


@pytest.mark.parametrize("text", [
    "BHB", "beta-hydroxybutyrate", "β-hydroxybutyraat", "Calcium-β-Hydroxybutyrat", "3-hydroxybutyrate",
    "magnesium stearate", "Sodium 250 mg", "waarvan natrium 125 mg",
    "of which butyric acid 400 mg", "waarvan boterzuur", "davon Buttersäure 700 mg", "dont acide butyrique",
    "(providing 800 mg butyric acid)", "equivalent to 393 mg butyric acid", "entspricht 500 mg Buttersäure",
    "soit 400 mg d'acide butyrique", "butyrate-producing bacteria", "Clostridium butyricum",
])
def test_not_an_active_form(text):
    assert match_butyrate_form(text, REF) is None


@pytest.mark.parametrize("text, ids", [
    ("Calcium- und Magnesiumbutyrat", ["calcium-butyrate", "magnesium-butyrate"]),
    ("calcium- en magnesiumbutyraat", ["calcium-butyrate", "magnesium-butyrate"]),
    ("calcium and magnesium butyrate", ["calcium-butyrate", "magnesium-butyrate"]),
    ("butyrate de calcium et de magnésium", ["calcium-butyrate", "magnesium-butyrate"]),
    ("Sodium Butyrate 1,200 mg (providing 960 mg butyric acid)", ["sodium-butyrate"]),
    ("tributyrin, sodium butyrate", ["tributyrin", "sodium-butyrate"]),
])
def test_match_several_forms(text, ids):
    assert [f.id for f in match_butyrate_forms(text, REF)] == ids


@pytest.mark.parametrize("text, value", [
    ("waarvan boterzuur 480 mg", 480),
    ("of which butyric acid: 393 mg", 393),
    ("(providing 960 mg butyric acid)", 960),
    ("davon Buttersäure 848 mg", 848),
    ("Buttersäure-Äquivalent 700 mg", 700),
    ("dont acide butyrique 621 mg", 621),
])
def test_declared_butyric_acid(text, value):
    decls = find_declarations(text, REF)
    assert len(decls) == 1 and decls[0].amount is not None and decls[0].amount.value == value


# ---------------------------------------------------------------- whole labels (own texts, as OCR reads them)
def ing(text: str, kind: str = "active", id: str | None = None) -> Ingredient:  # noqa: A002
    return Ingredient(text=text, name=text, kind=kind, id=id)


def summary(actives):
    return [(a.id, a.amount.value if a.amount else None, a.amount.unit if a.amount else None, a.basis,
             a.declared_butyric_acid.value if a.declared_butyric_acid else None, a.in_ingredients)
            for a in actives]


LABEL_NL = """Darmkracht Butyraat
Voedingssupplement met calciumbutyraat · 120 capsules
Ingrediënten: calciumbutyraat (70 %), rijstmeel, capsule: hypromellose.
Samenstelling per capsule
Calciumbutyraat ........ 550 mg
waarvan boterzuur ........ 452 mg
Dosering: 3 x per dag 1 capsule tijdens de maaltijd."""

LABEL_DE = """Pro Tagesdosis (3 Kapseln)
Kaliumbutyrat    900 mg
entspricht Buttersäure   628 mg
Verzehrempfehlung: Täglich 3 Kapseln mit Wasser verzehren."""

LABEL_EN_NO_LIST = """Supplement Facts
Each capsule provides
Limosilactobacillus reuteri RT-4   5 billion CFU
Bifidobacterium breve   3 billion CFU
Take 1 capsule daily."""

LABEL_FR_NL = """Ingrédients : Lactobacillus gasseri CP-77 inactivé par la chaleur, tributyrine, farine.
Ingrediënten: hitte-gedode Lactobacillus gasseri CP-77, tributyrine, rijstmeel.
Par gélule · Per capsule
L. gasseri CP-77 inactivé · geïnactiveerd   20 mg (5 milliards de cellules)
Tributyrine   250 mg
Prendre 2 gélules par jour. Neem 2 capsules per dag."""

LABEL_OCR = """Per capsule

Natriumbutyraat 6OO rng

waarvan boterzuur 48O mg
waarvan natrium 125 mg
Gebruik
Neem 2 keer per dag | capsule."""

LABEL_COLUMNS = """Pro Kapsel
Natriumbutyrat
davon Buttersäure
Lactobacillus paracasei LP-33 (hitzeinaktiviert)
500 mg
400 mg
25 mg
Täglich 2 Kapseln."""

LABEL_SENTENCES = """Ingredients: tributyrin, softgel shell (gelatine, glycerol).
Each softgel contains 450 mg tributyrin (equivalent to 393 mg butyric acid).
Take 1-2 softgels daily."""


def test_nl_table_with_dots_and_declaration():
    actives = find_actives(LABEL_NL, [ing("calciumbutyraat (70 %)", id="calcium-butyrate")], REF)
    assert summary(actives) == [("calcium-butyrate", 550, "mg", "unit", 452, True)]
    assert actives[0].name == "calciumbutyraat"
    assert "550 mg" in actives[0].evidence


def test_day_basis_table_without_ingredient_list():
    actives = find_actives(LABEL_DE, [], REF)
    assert summary(actives) == [("potassium-butyrate", 900, "mg", "day", 628, False)]


def test_live_microbes_from_table_only():
    actives = find_actives(LABEL_EN_NO_LIST, [], REF)
    assert [(a.species, a.strain, a.state, a.count.value, a.count.unit, a.basis) for a in actives] == [
        ("Limosilactobacillus reuteri", "RT-4", "live", 5e9, "cfu", "unit"),
        ("Bifidobacterium breve", None, "live", 3e9, "cfu", "unit")]
    assert all(a.id == "microorganism" and a.amount is None for a in actives)


def test_bilingual_label_gives_one_active_per_substance():
    ingredients = [ing("Lactobacillus gasseri CP-77 inactivé par la chaleur", "microorganism"),
                   ing("tributyrine", id="tributyrin"),
                   ing("hitte-gedode Lactobacillus gasseri CP-77", "microorganism"),
                   ing("tributyrine", id="tributyrin")]
    actives = find_actives(LABEL_FR_NL, ingredients, REF)
    assert [a.id for a in actives] == ["tributyrin", "microorganism"]
    tributyrin, microbe = actives
    assert (tributyrin.amount.value, tributyrin.basis) == (250, "unit")
    assert (microbe.species, microbe.strain, microbe.state) == (
        "Lactobacillus gasseri", "CP-77", "inactivated")
    assert (microbe.amount.value, microbe.count.value, microbe.count.unit) == (20, 5e9, "cells")


def test_ocr_noise_and_sodium_line():
    actives = find_actives(LABEL_OCR, [], REF)
    assert summary(actives) == [("sodium-butyrate", 600, "mg", "unit", 480, False)]


def test_values_printed_in_a_column_after_the_names():
    actives = find_actives(LABEL_COLUMNS, [], REF)
    by_id = {a.id: a for a in actives}
    assert set(by_id) == {"sodium-butyrate", "microorganism"}
    sodium = by_id["sodium-butyrate"]
    assert (sodium.amount.value, sodium.declared_butyric_acid.value) == (500, 400)
    assert (by_id["microorganism"].amount.value, by_id["microorganism"].state) == (25, "inactivated")


def test_amount_in_a_sentence():
    actives = find_actives(LABEL_SENTENCES, [ing("tributyrin", id="tributyrin")], REF)
    assert summary(actives) == [("tributyrin", 450, "mg", "unit", 393, True)]


def test_value_on_the_next_line():
    text = "Per sachet\nButyrate de sodium\n1,5 g\nPrendre 1 sachet par jour."
    assert summary(find_actives(text, [], REF)) == [("sodium-butyrate", 1.5, "g", "unit", None, False)]


def test_serving_basis_and_inline_amount_per_unit():
    text = ("Serving Size 2 Capsules\nAmount Per Serving\nSodium 260 mg\nSodium Butyrate 1,250 mg\n"
            "(providing 1,000 mg butyric acid)\nOther ingredients: cellulose.")
    assert summary(find_actives(text, [], REF)) == [("sodium-butyrate", 1250, "mg", "serving", 1000, False)]


def test_two_columns_prefer_the_day_column():
    text = ("Per capsule   Per dagdosis (2 capsules)\nMagnesiumbutyraat   400 mg   800 mg\n"
            "Neem 2 capsules per dag.")
    assert summary(find_actives(text, [], REF)) == [("magnesium-butyrate", 800, "mg", "day", None, False)]


def test_declared_total_of_two_salts_stays_unattached():
    text = ("Pro Tagesdosis (2 Kapseln)\nCalciumbutyrat 500 mg\nMagnesiumbutyrat 300 mg\n"
            "davon Buttersäure 677 mg")
    actives = find_actives(text, [ing("Calciumbutyrat"), ing("Magnesiumbutyrat")], REF)
    assert summary(actives) == [("calcium-butyrate", 500, "mg", "day", None, True),
                                ("magnesium-butyrate", 300, "mg", "day", None, True)]


def test_ingredient_without_amount_and_prose_mentions():
    text = ("Butyraat is een vetzuur dat in de darm ontstaat.\nIngrediënten: natriumbutyraat, rijstmeel.\n"
            "1 capsule per dag.")
    ingredients = [ing("natriumbutyraat", id="sodium-butyrate"), ing("rijstmeel", "other")]
    actives = find_actives(text, ingredients, REF)
    assert summary(actives) == [("sodium-butyrate", None, None, None, None, True)]


@pytest.mark.parametrize("text", [
    "Nahrungsergänzungsmittel mit Calcium- und Magnesiumbutyrat\nZutaten: Magnesiumbutyrat, Lactose.",
    "Voedingssupplement met calcium- en magnesiumbutyraat · 60 capsules\nIngrediënten: magnesiumbutyraat.",
    "Complément alimentaire à base de butyrate de calcium et de magnésium\n"
    "Ingrédients : butyrate de magnésium.",
    "Food supplement with calcium and magnesium butyrate\nIngredients: magnesium butyrate, rice flour.",
    "Postbiotique au butyrate de calcium et de magnésium\nIngrédients : butyrate de magnésium.",
])
def test_a_form_the_product_name_states_is_an_active_without_an_amount(text):
    # glare took the first ingredient: the name the product is sold under still says what it holds
    listed = text.split(": ")[-1].split(",")[0].rstrip(".")
    actives = find_actives(text, [ing(listed, id="magnesium-butyrate")], REF)
    assert sorted(a.id for a in actives) == ["calcium-butyrate", "magnesium-butyrate"]
    calcium = next(a for a in actives if a.id == "calcium-butyrate")
    assert calcium.amount is None and not calcium.in_ingredients


@pytest.mark.parametrize("text", [
    "Tributyrin is better absorbed than sodium butyrate.\nIngredients: tributyrin.",
    "Ons voedingssupplement bevat geen natriumbutyraat.\nIngrediënten: tributyrine.",
])
def test_a_form_named_in_prose_outside_the_product_name_is_no_active(text):
    actives = find_actives(text, [ing(text.split(": ")[-1].rstrip("."), id="tributyrin")], REF)
    assert [a.id for a in actives] == ["tributyrin"]


def test_unspecified_butyrate_only():
    text = "Zutaten: Butyrat, Reismehl.\nInhaltsstoff   pro Kapsel\nButyrat   250 mg"
    actives = find_actives(text, [ing("Butyrat", id="butyrate-unspecified")], REF)
    assert summary(actives) == [("butyrate-unspecified", 250, "mg", "unit", None, True)]


@pytest.mark.parametrize("text", [
    "Ingredients: calcium beta-hydroxybutyrate, magnesium BHB.\nPer scoop\nCalcium BHB 1,5 g\n"
    "β-hydroxybutyrate 2 g",
    "Per capsule\nof which butyric acid 400 mg\nwaarvan natrium 100 mg",
    "Vitamine C 80 mg\nZink 10 mg",
])
def test_no_actives(text):
    assert find_actives(text, [], REF) == []


def test_state_from_another_sentence_about_the_same_species():
    text = ("Complément alimentaire à base de Lactobacillus paracasei inactivé.\n"
            "Ingrédients : maltodextrine, Lactobacillus paracasei PC-12.\nPour 1 sachet\n"
            "Lactobacillus paracasei PC-12   30 mg")
    actives = find_actives(text, [ing("Lactobacillus paracasei PC-12", "microorganism")], REF)
    assert [(a.species, a.strain, a.state, a.amount.value) for a in actives] == [
        ("Lactobacillus paracasei", "PC-12", "inactivated", 30)]


@pytest.mark.parametrize("text, expected", [
    # amount in the ingredient list itself, no table: read per unit
    ("Ingredients: Sodium butyrate 300 mg, rice flour, HPMC.\nTake 2 capsules daily.",
     [("sodium-butyrate", 300, "mg", "unit", None, False)]),
    # dot leaders between name and value
    ("Par gélule\nButyrate de sodium...............600 mg",
     [("sodium-butyrate", 600, "mg", "unit", None, False)]),
    # header and row on one line
    ("Composition pour 2 gélules : butyrate de calcium 1 200 mg",
     [("calcium-butyrate", 1200, "mg", "serving", None, False)]),
    ("Each capsule contains: sodium butyrate 600 mg, tributyrin 100 mg.",
     [("sodium-butyrate", 600, "mg", "unit", None, False), ("tributyrin", 100, "mg", "unit", None, False)]),
    # two rows read into one OCR line
    ("Pro Tagesdosis (2 Kapseln)\nCalciumbutyrat 600 mg Magnesiumbutyrat 400 mg",
     [("calcium-butyrate", 600, "mg", "day", None, False),
      ("magnesium-butyrate", 400, "mg", "day", None, False)]),
    ("Per capsule\nNatriumbutyraat 600 mg waarvan boterzuur 480 mg",
     [("sodium-butyrate", 600, "mg", "unit", 480, False)]),
    # OCR: "Pet" for "Per", "Butyrale" for "Butyrate"
    ("Amount Pet Serving\nSodium Butyrale 600 mg", [("sodium-butyrate", 600, "mg", "serving", None, False)]),
    # a basis phrase in the sentence decides: per day
    ("Neem 2 capsules per dag, samen goed voor 1.200 mg natriumbutyraat.",
     [("sodium-butyrate", 1200, "mg", "day", None, False)]),
    # a bilingual row name, its values (two columns) on the next line
    ("pro Kapsel | pro Tagesdosis (3 Kapseln)\nNatriumbutyrat · Butyrate de sodium\n\n450 mg | 1350 mg",
     [("sodium-butyrate", 1350, "mg", "day", None, False)]),
    # the units as the subject of the sentence
    ("Täglich 2 Kapseln. 2 Kapseln enthalten 250 mg Calciumbutyrat, davon 206 mg Buttersäure.",
     [("calcium-butyrate", 250, "mg", "serving", 206, False)]),
    ("One capsule provides 600 mg sodium butyrate.", [("sodium-butyrate", 600, "mg", "unit", None, False)]),
    # butyric acid as the active itself (no other form above it)
    ("Each capsule provides\nButyric acid 250 mg", [("butyric-acid", 250, "mg", "unit", None, False)]),
])
def test_table_and_sentence_shapes(text, expected):
    assert summary(find_actives(text, [], REF)) == expected


def test_bare_butyrate_row_is_the_only_named_salt():
    text = "Zutaten: Natriumbutyrat, Reismehl.\npro Kapsel\nButyrat 300 mg"
    actives = find_actives(text, [ing("Natriumbutyrat", id="sodium-butyrate")], REF)
    assert summary(actives) == [("sodium-butyrate", 300, "mg", "unit", None, True)]


def test_value_column_printed_far_below_the_names():
    text = ("Each capsule provides\nLacticaseibacillus casei CS-7\nBifidobacterium bifidum\nDirections\n"
            "Warnings\nKeep cool.\nFresh Gut Ltd\n\n6 billion CFU\n4 billion CFU\nTake 1 capsule daily.")
    actives = find_actives(text, [], REF)
    assert [(a.species, a.count.value, a.state) for a in actives] == [
        ("Lacticaseibacillus casei", 6e9, "live"), ("Bifidobacterium bifidum", 4e9, "live")]


def test_state_words_stay_with_their_own_microbe():
    text = "Ingrediënten: hitte-gedode Bifidobacterium breve BR-3, Lactobacillus acidophilus LA-5, rijstmeel."
    ingredients = [ing("hitte-gedode Bifidobacterium breve BR-3", "microorganism"),
                   ing("Lactobacillus acidophilus LA-5", "microorganism")]
    actives = find_actives(text, ingredients, REF)
    assert [(a.strain, a.state) for a in actives] == [("BR-3", "inactivated"), ("LA-5", "unstated")]


def test_a_cfu_count_anywhere_makes_an_unstated_microbe_live():
    text = "Probiotic formula · 10 billion CFU\nIngredients: Lactobacillus acidophilus LA-5, inulin."
    actives = find_actives(text, [ing("Lactobacillus acidophilus LA-5", "microorganism")], REF)
    assert [(a.strain, a.state) for a in actives] == [("LA-5", "live")]


def test_a_spaced_dash_ends_the_clause_an_amount_belongs_to():
    # OCR read the "·" before the pack size as "-": the sachet's weight is not the microbe's amount
    text = ("Complément alimentaire à base de Lactobacillus paracasei inactivé - 20 sachets de 4 g\n"
            "Ingrédients : maltodextrine, Lactobacillus paracasei VT-52.")
    actives = find_actives(text, [ing("Lactobacillus paracasei VT-52", "microorganism")], REF)
    assert [(a.strain, a.amount) for a in actives] == [("VT-52", None)]


def test_a_dash_between_a_name_and_its_amount_still_joins_them():
    assert summary(find_actives("Each capsule contains: tributyrin - 450 mg", [], REF)) == [
        ("tributyrin", 450, "mg", "unit", None, False)]


def test_a_strain_named_twice_is_one_organism_even_with_a_misread_epithet():
    text = ("Zutaten: Natriumbutyrat, Lactobacillus acidophilus NV-118.\npro Tablette\n"
            "Lactobacillus aadophius NV-118 25 mg")
    actives = find_actives(text, [ing("Lactobacillus acidophilus NV-118", "microorganism")], REF)
    assert [(a.species, a.strain, a.amount.value if a.amount else None) for a in actives] == [
        ("Lactobacillus acidophilus", "NV-118", 25)]


def test_two_strains_of_one_species_stay_apart():
    text = "Per capsule\nLactobacillus plantarum LP-1 10 mg\nLactobacillus plantarum LP-2 20 mg"
    actives = find_actives(text, [], REF)
    assert sorted((a.strain, a.amount.value) for a in actives) == [("LP-1", 10), ("LP-2", 20)]


@pytest.mark.parametrize("row, amount", [
    ("acdophius NV-118 25 mg", 25),  # OCR garbled the genus and species, the strain code survived
    ("Lactbcls acdphs NV 118 25 mg", 25),
    ("Füllstoff NV-1180 25 mg", None),  # another code
])
def test_a_table_row_naming_only_a_listed_strain_is_that_microbe(row, amount):
    text = f"Zutaten: Natriumbutyrat, Lactobacillus acidophilus NV-118.\npro Tablette\n{row}"
    actives = find_actives(text, [ing("Lactobacillus acidophilus NV-118", "microorganism")], REF)
    assert [(a.species, a.strain, a.amount.value if a.amount else None) for a in actives] == [
        ("Lactobacillus acidophilus", "NV-118", amount)]


@pytest.mark.parametrize("source, expected", [
    (ing("citrate de zinc", "nutrient", id="zinc"), ["magnesium-butyrate"]),  # the zinc of the name
    (ing("maltodextrine", "other"), ["magnesium-butyrate", "zinc-butyrate"]),  # zinc butyrate lost to glare
])
def test_a_metal_the_ingredients_give_in_another_compound_is_no_butyrate_of_the_name(source, expected):
    text = ("Complément alimentaire à base de butyrate de magnésium et de zinc\n"
            f"Ingrédients : butyrate de magnésium, {source.text}.")
    actives = find_actives(text, [ing("butyrate de magnésium", id="magnesium-butyrate"), source], REF)
    assert sorted(a.id for a in actives) == expected


@pytest.mark.parametrize("amount, declared, expected", [
    ("3 600 mg", "493 mg", 600),  # a stray digit before the cell: the declaration fits 600 mg, not 3600
    ("3 600 mg", "2959 mg", 3600),  # the declaration fits the grouped number: it stays
    ("1 200 mg", "986 mg", 1200),
    ("3 600 mg", "700 mg", 3600),  # fits neither: the amount is left as printed
])
def test_a_declared_butyric_acid_checks_an_amount_printed_in_digit_groups(amount, declared, expected):
    text = f"Per 2 gummies\nCalcium butyrate {amount}\nof which butyric acid {declared}"
    assert [a.amount.value for a in find_actives(text, [], REF)] == [expected]


def test_an_epithet_cut_short_by_glare_is_the_listed_species():
    text = ("Ingrediënten: gepasteuriseerde Akkermansia muciniphila AKM-301.\nPer stick (3 g)\n"
            "Akkermansia mucinip 3 miljard cellen")
    listed = ing("gepasteuriseerde Akkermansia muciniphila AKM-301", "microorganism")
    actives = find_actives(text, [listed], REF)
    assert [(a.species, a.strain, a.count.value if a.count else None) for a in actives] == [
        ("Akkermansia muciniphila", "AKM-301", 3e9)]


def test_a_strain_and_epithet_cut_short_by_glare_are_the_listed_organism():
    text = ("Ingrediënten: maltodextrine, hitte-gedode Bifidobacterium longum BLH-52.\nPer stick (3 g)\n"
            "Bifidobacterium long LH-52 (hitte-gedood) 10 miljard cellen")
    actives = find_actives(text, [ing("hitte-gedode Bifidobacterium longum BLH-52", "microorganism")], REF)
    assert [(a.species, a.strain, a.state, a.count.value if a.count else None) for a in actives] == [
        ("Bifidobacterium longum", "BLH-52", "inactivated", 1e10)]
