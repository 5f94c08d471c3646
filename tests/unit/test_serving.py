"""Serving size and daily use read by meaning from directions in NL/EN/DE/FR, OCR slips included."""
from __future__ import annotations

import pytest

from checker.parsing.serving import parse_basis_headers, parse_serving, unit_word

# expected: (units_per_serving, unit, units/day min, units/day max, servings/day min, servings/day max)
CASES = [
    # EN
    ("Serving Size 2 Capsules · Servings Per Container 45\nDirections: take 2 capsules once daily.",
     (2, "capsule", 2, 2, 1, 1)),
    ("Take 1 capsule daily with water.", (1, "capsule", 1, 1, 1, 1)),
    ("Adults: take 1-2 softgels daily with food.", (None, "softgel", 1, 2, None, None)),
    ("Take one tablet twice daily.", (1, "tablet", 2, 2, 2, 2)),
    ("Take 2 capsules 3 times a day with meals.", (2, "capsule", 6, 6, 3, 3)),
    ("Take 1 capsule with each meal.", (1, "capsule", 1, 3, 1, 3)),
    ("2x daily 1 vcaps", (1, "capsule", 2, 2, 2, 2)),
    ("Take 1 serving daily.\nServing size: 3 capsules", (3, "capsule", 3, 3, 1, 1)),
    ("Mix 5 g daily into 250 ml of water.", (5, "g", 5, 5, 1, 1)),
    # NL
    ("Neem 3 keer per dag 1 capsule bij het eten.", (1, "capsule", 3, 3, 3, 3)),
    ("Neem 3 keer per dag | capsule bij het eten.", (1, "capsule", 3, 3, 3, 3)),  # OCR: | for 1
    ("Neem 2 keer per dag l capsule.", (1, "capsule", 2, 2, 2, 2)),  # OCR: l for 1
    ("2 maal daags 2 softgels innemen.", (2, "softgel", 4, 4, 2, 2)),
    ("1 tot 3 tabletten per dag, bij voorkeur bij de maaltijd.", (None, "tablet", 1, 3, None, None)),
    ("2à3 capsules per dag, over de maaltijden.", (None, "capsule", 2, 3, None, None)),  # OCR: no spaces
    ("Los 1 keer per dag 2 afgestreken maatschepjes (10 g) op in 300 ml water.", (2, "scoop", 2, 2, 1, 1)),
    ("Dagelijks één zakje oplossen in water.", (1, "sachet", 1, 1, 1, 1)),
    ("Neem 1 capsule bij elke maaltijd.", (1, "capsule", 1, 3, 1, 3)),
    ("Aanbevolen dagelijkse dosis: 2 capsules.", (2, "capsule", 2, 2, 1, 1)),
    ("Gebruik: 's ochtends en 's avonds 1 tablet.", (1, "tablet", 2, 2, 2, 2)),
    # DE
    ("Täglich 3 Kapseln (morgens, mittags und abends je 1 Kapsel) mit Wasser einnehmen.",
     (1, "capsule", 3, 3, 3, 3)),
    ("Täglich 2 Kapseln (morgens und abends je 1 Kapsel) mit Wasser verzehren.", (1, "capsule", 2, 2, 2, 2)),
    ("Zweimal täglich eine Weichkapsel verzehren.", (1, "softgel", 2, 2, 2, 2)),
    ("1 bis 2 Filmtabletten täglich unzerkaut schlucken.", (None, "tablet", 1, 2, None, None)),
    ("1 Messlöffel (5 g) pro Tag in 200 ml Wasser auflösen.", (1, "scoop", 1, 1, 1, 1)),
    ("3 x täglich 1 Kapsel zu jeder Mahlzeit.", (1, "capsule", 3, 3, 3, 3)),
    ("Nicht mehr als 4 Kapseln täglich verzehren.", (None, "capsule", None, 4, None, None)),
    # FR
    ("Prendre 1 gélule par jour avec un verre d'eau.", (1, "capsule", 1, 1, 1, 1)),
    ("2 comprimés deux fois par jour.", (2, "tablet", 4, 4, 2, 2)),
    ("1 à 2 sachets par jour, à diluer dans l'eau.", (None, "sachet", 1, 2, None, None)),
    ("Une gélule matin et soir.", (1, "capsule", 2, 2, 2, 2)),
    ("1 gélule à chaque repas.", (1, "capsule", 1, 3, 1, 3)),
    ("Dose journalière : 3 gélules.", (3, "capsule", 3, 3, 1, 1)),
    # the same amount restated in brackets in other units is not a second count
    ("Dagelijks 2 ml (40 druppels), bij voorkeur verdeeld over ontbijt en avondeten.", (2, "ml", 2, 2, 1, 1)),
    # "1 à 3" read without its spaces and with the "à" as 8: 183 capsules a day is no dose
    ("183 capsules molles par jour pendant les repas.", (None, "softgel", 1, 3, None, None)),
    ("Contenu : 183 gélules. Prendre 2 gélules par jour.", (2, "capsule", 2, 2, 1, 1)),
    # a table header can be the only statement of the daily amount
    ("Per 2 capsules (dagdosering)\nNatriumbutyraat 800 mg", (2, "capsule", 2, 2, 1, 1)),
    ("Per 2 capsules (dagdosering\nNatriumbutyraat 800 mg", (2, "capsule", 2, 2, 1, 1)),  # OCR lost the ")"
    ("Pro Tagesdosis (3 Kapseln)\nKaliumbutyrat 900 mg", (3, "capsule", 3, 3, 1, 1)),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_daily_use(text, expected):
    s = parse_serving(text)
    got = (s.units_per_serving, s.unit, s.units_per_day_min, s.units_per_day_max,
           s.servings_per_day_min, s.servings_per_day_max)
    assert got == expected
    assert s.evidence


@pytest.mark.parametrize("text", [
    "Take as directed by your healthcare practitioner.",
    "Servings Per Container 30",
    "Voedingssupplement · 90 vegetarische capsules",
    "Inhalt: 60 Kapseln = 36 g",
    "Poids net : 40 g (20 sachets de 2 g)",
    "Lot 2a3 capsules",  # a code, not a range: no direction
    "De aanbevolen dagelijkse dosis niet overschrijden.",
    "Kinderen van 6 tot 12 jaar: 1 capsule per dag.",  # not the adult dose
    "Pendant la grossesse, 1 gélule par jour sur avis médical.",
])
def test_no_daily_use(text):
    s = parse_serving(text)
    assert (s.units_per_day_min, s.units_per_day_max, s.servings_per_day_max) == (None, None, None)


def test_children_sentence_is_skipped_for_the_adult_one():
    s = parse_serving("Children 4-11 years: 1 capsule daily.\nAdults: 3 capsules daily.")
    assert (s.units_per_day_min, s.units_per_day_max) == (3, 3)
    assert s.evidence == "Adults: 3 capsules daily."


def test_directions_win_over_servings_per_container():
    s = parse_serving("Serving Size 1 Scoop (5 g)\nServings Per Container 60\nUse: 1 scoop twice daily.")
    assert (s.units_per_serving, s.unit, s.units_per_day_max, s.servings_per_day_max) == (1, "scoop", 2, 2)


@pytest.mark.parametrize("line, expected", [
    ("Per capsule", [("unit", 1, "capsule")]),
    ("Per capsule · Par gélule", [("unit", 1, "capsule")]),
    ("Pour 1 sachet", [("unit", 1, "sachet")]),
    ("Each capsule provides", [("unit", 1, "capsule")]),
    ("per Tablette", [("unit", 1, "tablet")]),
    ("Inhaltsstoff pro Kapsel", [("unit", 1, "capsule")]),
    ("Samenstelling per softgel", [("unit", 1, "softgel")]),
    ("Amount Per Serving % Daily Value", [("serving", None, None)]),
    ("Per 2 capsules", [("serving", 2, "capsule")]),
    ("Per 2 capsules (dagdosering)", [("day", 2, "capsule")]),
    ("Per 2 capsules (dagdosering", [("day", 2, "capsule")]),  # the ")" lost at the line's end
    ("Per 2 capsules (dagdosering: zie onder", [("serving", 2, "capsule")]),  # the bracket goes on
    ("Pro Tagesdosis (2 Kapseln)", [("day", 2, "capsule")]),
    ("Per dagdosis", [("day", None, None)]),
    ("Pour 2 gélules (dose journalière)", [("day", 2, "capsule")]),
    ("Per capsule   Per dagdosis (3 capsules)", [("unit", 1, "capsule"), ("day", 3, "capsule")]),
    ("Per 100 g   Per portie (5 g)", [(None, None, None), ("serving", 5, "g")]),
    # not headers: a direction sentence, a row with an amount, running text
    ("1 capsule per dag.", []),
    ("Natriumbutyraat per capsule 600 mg", []),
    ("Neem elke dag een capsule met een groot glas water tijdens het ontbijt of de lunch.", []),
])
def test_basis_headers(line, expected):
    assert [(h.basis, h.units, h.unit) for h in parse_basis_headers(line)] == expected


@pytest.mark.parametrize("word, unit", [
    ("Kapseln", "capsule"), ("gélules", "capsule"), ("Softgels", "softgel"), ("Weichkapsel", "softgel"),
    ("tabletten", "tablet"), ("comprimés", "tablet"), ("Filmtablette", "tablet"), ("zakjes", "sachet"),
    ("Beutel", "sachet"), ("maatschepje", "scoop"), ("Messlöffel", "scoop"), ("dosette", "scoop"),
    ("druppels", "drop"), ("gummies", "gummy"), ("ml", "ml"), ("flacon", None),
])
def test_unit_words(word, unit):
    assert unit_word(word) == unit
