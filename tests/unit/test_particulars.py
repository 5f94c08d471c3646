"""Mandatory particulars, found by meaning in four languages (present / absent, with the printed value)."""
from __future__ import annotations

import pytest

from checker.models import PARTICULAR_KEYS, Particular
from checker.parsing.particulars import find_particulars, find_quality
from checker.reference import ReferenceData, default_reference


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return default_reference()


def _get(text: str, key: str, ref: ReferenceData) -> Particular:
    found, _ = find_particulars(text, ref, has_ingredients=False)
    return found[key]


def test_every_key_is_reported(ref: ReferenceData) -> None:
    found, standards = find_particulars("", ref, has_ingredients=True)
    assert list(found) == list(PARTICULAR_KEYS)
    assert found["ingredients"].present and not found["daily_dose"].present and standards == []


@pytest.mark.parametrize("text", [
    "Take one capsule daily with a meal.",
    "Suggested use: 2 tablets a day.",
    "Serving size: 1 scoop. Use once daily.",
    "Adults: 1-3 softgels per day.",
    "Neem dagelijks 2 tabletten met water.",
    "Gebruik: 3 x per dag 1 capsule.",
    "Aanbevolen dagelijkse dosis: 2 capsules",
    "Einmal täglich 1 Kapsel verzehren.",
    "Verzehrempfehlung: 2 Kapseln",
    "Prendre 2 gélules par jour au cours du repas.",
    "Dose journalière recommandée : 1 comprimé",
    "Diluer 1 stick dans un verre d'eau, matin et soir.",
])
def test_daily_dose_present(text: str, ref: ReferenceData) -> None:
    assert _get(text, "daily_dose", ref).present


@pytest.mark.parametrize("text", [
    "Prendre avec un grand verre d'eau.",
    "Ne pas dépasser la dose journalière recommandée.",
    "Per capsule\nNatriumbutyraat\t600 mg",
    "Contains 600 mg per capsule.",
    "Do not exceed the recommended daily dose.",
    "Met water innemen tijdens de maaltijd.",
])
def test_daily_dose_absent(text: str, ref: ReferenceData) -> None:
    assert not _get(text, "daily_dose", ref).present


@pytest.mark.parametrize(("key", "text"), [
    ("overdose_warning", "Never exceed the stated dose. Do not exceed two tablets daily."),
    ("overdose_warning", "Overschrijd de aanbevolen dosis niet."),
    ("overdose_warning", "Niet meer innemen dan de aanbevolen hoeveelheid."),
    ("overdose_warning", "Die empfohlene Tagesdosis nicht überschreiten."),
    ("overdose_warning", "Ne pas dépasser 2 gélules par jour."),
    ("diet_statement", "Supplements should not replace a varied and balanced diet."),
    ("diet_statement", "Not to be used as a substitute for a varied diet."),
    ("overdose_warning", "Niet meer dan de aanbevolen dagdosis gebruiken."),
    ("diet_statement", "Food supplements are no substitute for a healthy, varied diet."),
    ("diet_statement", "Voedingssupplementen zijn geen vervanger van een gevarieerd eetpatroon."),
    ("diet_statement", "Niet gebruiken als vervanging van een gevarieerde voeding."),
    ("diet_statement", "Kein Ersatz für eine abwechslungsreiche Ernährung."),
    ("diet_statement", "Ne remplace pas une alimentation variée et équilibrée."),
    ("diet_statement", "Les compléments ne doivent pas se substituer à une alimentation variée."),
    ("children_warning", "Store out of reach of children."),
    ("children_warning", "Keep out of the sight and reach of small children."),
    ("children_warning", "Buiten bereik van kinderen bewaren."),
    ("children_warning", "Buiten het zicht en bereik van jonge kinderen houden."),
    ("children_warning", "Für Kinder unzugänglich aufbewahren."),
    ("children_warning", "Außerhalb der Reichweite kleiner Kinder lagern."),
    ("children_warning", "Tenir hors de la portée des enfants."),
    ("children_warning", "Tenir hors de la vue et de la portée des jeunes enfants."),
    ("children_warning", "Keep away from children."),
    ("children_warning", "AuGerhalb der Reichweite von Kindern aufbewahren."),  # OCR: ß read as G
    ("overdose_warning", "De aanbevolen dosis niet overschri jden."),  # OCR splits the Dutch ij
    ("children_warning", "Für Kinder unerreichbar aufbewahren."),
    ("children_warning", "Ne pas laisser à la portée des enfants."),
    ("diet_statement", "Ne doivent pas être utilisés comme substituts d'un régime alimentaire varié."),
    ("storage", "Op een koele, droge plaats bewaren."),
    ("storage", "Bei Raumtemperatur lagern."),
    ("storage", "Conserver le flacon bien fermé."),
    ("storage", "Keep in a dry place below 30 °C."),
    ("storage", "Refrigerate after opening."),
    ("storage", "Koel bewaren."),
    ("storage", "Bewaren op kamertemperatuur, beschermen tegen vocht."),
    ("storage", "Vor Licht und Wärme geschützt aufbewahren."),
    ("storage", "Lagerung: trocken, nicht über 25 °C."),
    ("storage", "Conserver au frais."),
    ("storage", "À conserver à l'abri de la chaleur."),
    ("storage", "Droog bewaren bij maximaal 25 °C."),  # "droog", not only "droge"
    ("storage", "Bewaren bij maximaal 25 °C; na opening binnen 3 maanden gebruiken."),
])
def test_warnings_and_storage_present(key: str, text: str, ref: ReferenceData) -> None:
    assert _get(text, key, ref).present


@pytest.mark.parametrize(("key", "text"), [
    ("overdose_warning", "Take up to two tablets a day."),
    ("overdose_warning", "Exceeds expectations."),
    ("diet_statement", "Part of a varied and balanced diet."),
    ("diet_statement", "Voor een gevarieerde voeding."),
    ("children_warning", "Not suitable for children under 12."),
    ("children_warning", "Niet geschikt voor kinderen."),
    ("storage", "Buiten het bereik van jonge kinderen bewaren."),
    ("storage", "Außerhalb der Reichweite von kleinen Kindern aufbewahren."),
    ("storage", "Buiten bereik van kleine kinderen houden."),
    ("storage", "Tenir hors de portée des enfants."),
    ("storage", "Keep out of reach of children."),
    ("storage", "Geproduceerd volgens GMP."),
    ("storage", "Neem maximaal 2 capsules per dag."),
])
def test_warnings_and_storage_absent(key: str, text: str, ref: ReferenceData) -> None:
    assert not _get(text, key, ref).present


@pytest.mark.parametrize(("text", "value"), [
    ("Netto-inhoud: 120 capsules", "120 capsules"),
    ("Inhoud: 250 g", "250 g"),
    ("Inhalt: 90 Kapseln = 54 g", "90 Kapseln = 54 g"),
    ("Nettofüllmenge 45 g", "45 g"),
    ("Poids net : 150 g", "150 g"),
    ("Net wt. 300 g (10.6 oz)", "300 g"),
    ("Food supplement · 120 veggie capsules", "120 veggie capsules"),
    ("Nahrungsergänzungsmittel mit Zink · 60 Kapseln", "60 Kapseln"),
    ("14 sachets de 5 g · Complément alimentaire", "14 sachets de 5 g"),
    ("Voedingssupplement · 30 vegetarische capsules", "30 vegetarische capsules"),
    ("Citroensmaak · 500 g", "500 g"),
    ("BBE: see cap          ℮ 60 g", "℮ 60 g"),
])
def test_net_quantity_present(text: str, value: str, ref: ReferenceData) -> None:
    found = _get(text, "net_quantity", ref)
    assert found.present and found.value == value


@pytest.mark.parametrize("text", [
    "Servings Per Container 30",
    "Serving Size 2 Capsules",
    "Per capsule: 600 mg",
    "600 mg per capsule",
    "Take 2 capsules daily.",
    "Neem dagelijks 6 capsules.",
    "Täglich 2 Kapseln einnehmen.",
    "Pro Tagesdosis (2 Kapseln)",
    "Per maatschep (6 g)",
    "Filmtabletten",
])
def test_net_quantity_absent(text: str, ref: ReferenceData) -> None:
    assert not _get(text, "net_quantity", ref).present


@pytest.mark.parametrize(("text", "value"), [
    ("Best before: 08/2027", "08/2027"),
    ("Best before end: see lid.", "see lid"),
    ("Exp. 2027-05", "2027-05"),
    ("Ten minste houdbaar tot einde: 12.2026", "12.2026"),
    ("THT: zie onderkant", "zie onderkant"),
    ("Mindestens haltbar bis Ende: siehe Deckel", "siehe Deckel"),
    ("MHD: 31.01.2028", "31.01.2028"),
    ("À consommer de préférence avant le : voir sous le pot", "voir sous le pot"),
    ("DDM : 06/2027", "06/2027"),
    ("For lot number and best before date see bottom of the jar.", "see bottom"),
])
def test_best_before_present(text: str, value: str, ref: ReferenceData) -> None:
    found = _get(text, "best_before", ref)
    assert found.present and found.value == value


@pytest.mark.parametrize("text", [
    "Best taken before a meal.",
    "Lot: 24A117",
    "Houdbaar na openen: 3 maanden.",
])
def test_best_before_absent(text: str, ref: ReferenceData) -> None:
    assert not _get(text, "best_before", ref).present


@pytest.mark.parametrize(("text", "value"), [
    ("Lot: 24A117", "24A117"),
    ("Lot:", None),  # the code is stamped, the label field is printed
    ("Batch no. AB-2291", "AB-2291"),
    ("L 24-0917", "24-0917"),
    ("Ten minste houdbaar tot: 05-2027 L 2405-17", "2405-17"),
    ("Partij: zie zijkant", "zie zijkant"),
    ("Lotnummer 7781X", "7781X"),
    ("Ch.-B.: 240917", "240917"),
    ("Chargennummer: siehe Boden", "siehe Boden"),
    ("N° de lot : voir le couvercle", "voir le couvercle"),
    ("THT en partijnummer: zie deksel.", "zie deksel"),
    ("See bottom of pack for batch number and expiry date.", "See bottom"),
    ("THT: zie deksel · Lomummer: 24B117", "24B117"),  # OCR slip in the label word
    ("THT: zie zijkant Lomummer: 24B1 17", "24B1"),  # ... and the separator before it lost
    ("MHD: 31.05.2027 · Los: DK-2705", "DK-2705"),  # German "Los" with its colon
    ("MHD und Los: siehe Dosenboden", "siehe Dosenboden"),
])
def test_lot_present(text: str, value: str | None, ref: ReferenceData) -> None:
    found = _get(text, "lot", ref)
    assert found.present and found.value == value


@pytest.mark.parametrize("text", [
    "Every batch is tested by an independent laboratory.",
    "Elke partij wordt gecontroleerd.",
    "Jede Charge wird geprüft.",
    "Chaque lot est analysé.",
    "Wij testen elke lot.",
    "À consommer de préférence avant fin : 09/2027",
    "Lactobacillus plantarum L-137",
    "Natrium: 1044 mg",
    "Bewaren in de originele verpakking: 25 °C",
    "Nettogewicht capsules: 41 g",
    "Los 2 keer per dag 1 maatschep op in water.",  # Dutch "los ... op": dissolve
    "Kostenlos: Versand ab 20 €",
])
def test_lot_absent(text: str, ref: ReferenceData) -> None:
    assert not _get(text, "lot", ref).present


@pytest.mark.parametrize("text", [
    "Vitara Health B.V., Keizersgracht 12, 1015 CX Amsterdam",
    "Distributed by Northwind Supplements LLC, 18 Lake Street, Denver, CO 80202",
    "Geproduceerd door: Groene Kruid, Molenweg 3, 4321 AB Ergens",
    "Hersteller: Alpenkraut GmbH, Bergstraße 4, 80331 München",
    "Sanavita SARL – 14 avenue Foch, 75016 Paris",
    "Fabriqué par Laboratoires Ardent, 3 rue Victor Hugo, 59000 Lille",
    "Brightwell Ltd\nUnit 7, Harbour Road\nCork, Ireland",
    # a street and postcode the patterns do not know: the legal form and the country tell (any EU/EEA one)
    "Harbourline Nutrition Ltd, 4 Triq San Pawl, Sliema SLM 1021, Malta",
    "Nordlys Helse AS, Storgata 9, Tromsø, Norge",
    "Vitalinea Lda, Avenida da Liberdade 110, Lisboa, Portugal",
    "Vitara · Dorpsstraat 1 · 1234 AB Dorp",  # no legal form, but a full postal address
    "Kalivia Natuurproducten, Oude Haven 3, 4301 AM Zierikzee",  # a street name with no street word
    # a photo read the address line (its start lost to glare) before the name line
    "des Cèdres, 33700 Mérignac, France\n\nDermabiane - Laboratoire Orvéal SARL",
])
def test_operator_present(text: str, ref: ReferenceData) -> None:
    assert _get(text, "operator", ref).present


@pytest.mark.parametrize("text", [
    "Hergestellt in der EU.",
    "Made in Germany.",
    "Manufactured in a GMP-certified facility.",
    "Fabriqué en France selon les BPF.",
    "Vitara Health B.V.",  # a name without an address
    "Een product van Vitara.",
    "Pro Tag 2, 1000 mg Natriumbutyrat",
    "Vitara Health B.V.\n\nNetto: 60 capsules",
])
def test_operator_absent(text: str, ref: ReferenceData) -> None:
    assert not _get(text, "operator", ref).present


@pytest.mark.parametrize(("text", "independent", "standards"), [
    ("Tested by an ISO 17025 accredited laboratory.", True, []),
    ("Informed Sport certified. Made under GMP.", True, ["gmp"]),
    ("Geproduceerd volgens GMP- en HACCP-normen.", False, ["gmp", "haccp"]),
    ("Hergestellt in einem nach ISO 22000 zertifizierten Betrieb.", False, ["iso-22000"]),
    ("Fabriqué selon les Bonnes Pratiques de Fabrication.", False, ["gmp"]),
    ("Analysé par un laboratoire indépendant.", True, []),
])
def test_quality_marks(text: str, independent: bool, standards: list[str], ref: ReferenceData) -> None:
    testing, found = find_quality(text, ref)
    assert testing.present is independent
    assert [s for s in found if s in standards] == standards


def test_direction_wins_over_a_table_row_with_daily_value(ref: ReferenceData) -> None:
    text = ("Amount Per Serving\nZinc (as zinc butyrate) 15 mg 136%\n† Daily Value not established.\n"
            "Directions: take 2 capsules a day with a meal.")
    found = _get(text, "daily_dose", ref)
    assert found.value == "2 capsules"
    assert not _get("Zinc 15 mg\t136% Daily Value", "daily_dose", ref).present


def test_values_come_from_the_printed_text(ref: ReferenceData) -> None:
    text = ("Vitara Zink\nVoedingssupplement · 60 tabletten\nNeem 1 tablet per dag.\n"
            "THT: 03/2028 · Partij: VZ-2281\nVitara B.V., Dorpsstraat 1, 1234 AB Dorp")
    found, _ = find_particulars(text, ref, has_ingredients=True)
    assert found["net_quantity"].value == "60 tabletten"
    assert found["best_before"].value == "03/2028"
    assert found["lot"].value == "VZ-2281"
    assert found["operator"].value == "Vitara B.V., Dorpsstraat 1, 1234 AB Dorp"
    assert found["daily_dose"].evidence == "Neem 1 tablet per dag."


# ---------------------------------------------------------------- found by meaning (concepts in one sentence)
@pytest.mark.parametrize(("key", "text"), [
    # diet statement: a good diet + replacing + a negation, in any order and wording
    ("diet_statement", "This capsule is not meant as a replacement for a diverse eating pattern."),
    ("diet_statement", "Our powder cannot replace healthy, varied meals."),
    ("diet_statement", "Use it alongside a balanced diet, which it can't replace."),
    ("diet_statement", "It should never be taken instead of a varied diet."),
    ("diet_statement", "Dit product kan een afwisselend eetpatroon niet vervangen."),
    ("diet_statement", "Gebruik het niet in plaats van gezonde, gevarieerde voeding."),
    ("diet_statement", "Een evenwichtige leefstijl wordt door dit supplement nooit vervangen."),
    ("diet_statement", "Sollte eine ausgewogene Ernährung nicht ersetzen."),
    ("diet_statement", "Nicht anstelle einer abwechslungsreichen Kost verwenden."),
    ("diet_statement", "Eine gesunde Lebensweise kann dieses Produkt nicht ersetzen."),
    ("diet_statement", "Ce produit ne saurait remplacer une alimentation diversifiée."),
    ("diet_statement", "À utiliser dans le cadre d'un régime équilibré, qu'il ne remplace pas."),
    ("diet_statement", "Ne pas utiliser comme substitut d'une alimentation saine."),
    # overdose: exceeding + a dose + a negation; or "more than" + taking + a dose + a negation
    ("overdose_warning", "Never take more than the stated daily amount."),
    ("overdose_warning", "The daily portion given here should never be exceeded."),
    ("overdose_warning", "Do not use more than two scoops in 24 hours."),
    ("overdose_warning", "Overschrijd de geadviseerde dagdosering niet."),
    ("overdose_warning", "Neem nooit meer dan de vermelde hoeveelheid in."),
    ("overdose_warning", "De dagelijkse hoeveelheid mag in geen geval worden overschreden."),
    ("overdose_warning", "Die angegebene Verzehrsmenge bitte nie überschreiten."),
    ("overdose_warning", "Nicht mehr als zwei Kapseln pro Tag einnehmen."),
    ("overdose_warning", "Respecter la dose quotidienne conseillée sans la dépasser."),
    ("overdose_warning", "Ne pas excéder la posologie indiquée."),
    ("overdose_warning", "Ne jamais consommer plus de trois gélules par jour."),
    # children: a keep-away word close to a child word
    ("children_warning", "Keep this jar away from young children."),
    ("children_warning", "Store where children cannot reach it, out of their sight."),
    ("children_warning", "Houd het product buiten bereik van kinderen."),
    ("children_warning", "Uit de buurt van kinderen houden."),
    ("children_warning", "Von Kindern fernhalten."),
    ("children_warning", "Für Kinder unzugänglich und trocken lagern."),
    ("children_warning", "Ne pas laisser à la portée des enfants."),
    ("children_warning", "Tenir éloigné des jeunes enfants."),
    # storage in other words
    ("storage", "Keep in a cool place."),
    ("storage", "Store at room temperature in the original pack."),
    ("storage", "Bewaren bij kamertemperatuur."),
    ("storage", "Droog en koel bewaren."),
    ("storage", "Vor Feuchtigkeit geschützt aufbewahren."),
    ("storage", "Kühl und trocken lagern."),
    ("storage", "À conserver dans un endroit frais."),
    ("storage", "Conserver à température ambiante, à l'abri de l'humidité."),
])
def test_found_by_meaning(key: str, text: str, ref: ReferenceData) -> None:
    assert _get(text, key, ref).present


# what glare, a cut edge or a misread word leaves of a particular on a photo: still present
@pytest.mark.parametrize(("key", "text"), [
    ("children_warning", "Keep out of the reach of young"),  # "children" under a glare spot
    ("children_warning", "Buiten het bereik bewaren."),
    ("children_warning", "Außerhalb der Reichweite aufbewahren."),
    ("children_warning", "Tenir hors de portée"),
    # a line OCR made look like a heading breaks the sentence in two
    ("children_warning", "Außerhalb der Reichweite von denen\nKinder lagern"),
    # "Kindern" / "kinderen" misread, the storage verb after it still read
    ("children_warning", "Außerhalb der Reichweite von kleinen Krdern lagern."),
    ("children_warning", "Buiten het bereik van jonge kindcren bewaren."),
    ("children_warning", "Keep out ofthe reach of young children."),  # two words read as one
    ("diet_statement", "Food supplements should not be used as a\ned and balanced diet and a healthy life."),
    ("diet_statement", "Een voedingszuur t gebruikt worden als vervanging van een gevarieerde voeding."),
    ("diet_statement", "Nahrungsergänzungsmittel sind kein für eine ausgewogene Ernährung."),
    ("storage", "cool, dry place. Do not use if safety seal is broken."),
    ("storage", "Op een koele, droge plaats."),
    ("storage", "An einem kühlen, trockenen Ort."),
    ("storage", "Conserverà Fabride lalumière et de l'humidité."),  # "à l'abri de la lumière"
    ("storage", "Conserver à Abri de la lum"),
    ("best_before", "Consommer de préférence avant in 05.202"),  # "À consommer ... fin : 03/2028"
])
def test_found_in_a_damaged_reading(key: str, text: str, ref: ReferenceData) -> None:
    assert _get(text, key, ref).present


@pytest.mark.parametrize(("key", "text"), [
    ("diet_statement", "A balanced diet and a healthy lifestyle are important."),  # no negation, no replacing
    ("diet_statement", "Not suitable for children. Enjoy as part of a varied diet."),
    ("children_warning", "Out of the reach of the sun."),  # no keeping: not the children phrase
    ("children_warning", "Keep out of direct sunlight."),
    ("children_warning", "Außerhalb der Reichweite von Wärmequellen und trocken lagern."),  # 4 words between
    ("children_warning", "Droog en buiten direct zonlicht bewaren."),
    ("storage", "À conserver à l'abri des enfants."),  # the children warning, not storage
    ("storage", "Keep out of the reach of young children."),
    ("best_before", "À consommer avec un grand verre d'eau."),
])
def test_not_found_in_a_damaged_reading(key: str, text: str, ref: ReferenceData) -> None:
    assert not _get(text, key, ref).present


@pytest.mark.parametrize(("key", "text"), [
    ("diet_statement", "Enjoy as part of a varied and balanced diet."),  # no replacing, no negation
    ("diet_statement", "Replace the lid after use."),
    ("diet_statement", "Past in een gevarieerd eetpatroon."),
    ("diet_statement", "Ideal zur Ergänzung einer ausgewogenen Ernährung."),
    ("diet_statement", "Complète une alimentation variée."),
    ("overdose_warning", "Contains no more than 1 g of sugar per serving."),  # no intake verb
    ("overdose_warning", "Take two capsules daily, more if needed."),
    ("overdose_warning", "Bevat meer dan 500 mg butyraat per dosis."),
    ("overdose_warning", "Enthält mehr als 500 mg Butyrat pro Tagesdosis."),
    ("overdose_warning", "Plus de 500 mg de butyrate par dose."),
    ("children_warning", "Not suitable for children under 12."),
    ("children_warning", "Nicht für Kinder geeignet."),
    ("children_warning", "Ne convient pas aux enfants."),
    ("children_warning", "Keep away from heat."),
    ("storage", "Store out of the sight and reach of children."),  # a children sentence is no storage
    ("storage", "Houd het product buiten bereik van kinderen."),
    ("storage", "Für Kinder unzugänglich aufbewahren."),
    ("storage", "À conserver hors de portée des enfants."),
])
def test_not_found_by_meaning(key: str, text: str, ref: ReferenceData) -> None:
    assert not _get(text, key, ref).present


@pytest.mark.parametrize(("text", "value"), [
    ("Lot: see lid", "see lid"),
    ("Partij: zie deksel", "zie deksel"),
    ("Charge siehe Deckel", "siehe Deckel"),
    ("N° de lot : voir sous le pot", "voir sous le pot"),
    ("LOT 24A17", "24A17"),
])
def test_lot_in_other_forms(text: str, value: str, ref: ReferenceData) -> None:
    found = _get(text, "lot", ref)
    assert found.present and found.value == value


@pytest.mark.parametrize("text", [
    "Importeur: Vitalis Handel, Kerkstraat 12, 2000 Antwerpen",
    "Verantwoordelijke: Natura Vita, Marktplein 4, 9000 Gent",
    "Responsable de la mise sur le marché : Solvie, 12 rue des Lilas, 69003 Lyon",
    "Vertrieb: Naturwerk Meyer\nLindenweg 7\n79098 Freiburg",
    "Gezondhuis\nHoofdstraat 99\n3500 Hasselt",  # name, street line, postcode line: no form, no lead-in
])
def test_operator_in_other_forms(text: str, ref: ReferenceData) -> None:
    assert _get(text, "operator", ref).present
