"""parse_label on label text with the slips OCR makes on photos, in four languages: the content stays right,
noise never invents an error, and the evidence shows what was printed."""
from __future__ import annotations

import re

import pytest

from checker import rules
from checker.models import OcrResult, OcrWord, ParsedLabel
from checker.parsing import parse_label
from checker.reference import ReferenceData, default_reference
from tests.ocr_noise import KINDS, ocr_noise

NL = """Darmkracht Natriumbutyraat 550
Voedingssupplement met natriumbutyraat · 120 plantaardige capsules
Ingrediënten: natriumbutyraat (61 %), vulstof: microkristallijne cellulose, capsulewand: \
hydroxypropylmethylcellulose, antiklontermiddelen: magnesiumstearaat, siliciumdioxide.
Per capsule
Natriumbutyraat 550 mg
waarvan boterzuur 440 mg
Gebruiksadvies: neem 2 maal per dag 1 capsule met water tijdens de maaltijd.
De aanbevolen dagelijkse dosis niet overschrijden. Een voedingssupplement is geen vervanging van een \
gevarieerde en evenwichtige voeding en een gezonde levensstijl.
Buiten het bereik van jonge kinderen bewaren. Koel en droog bewaren.
Ten minste houdbaar tot: zie onderkant pot. Partijnummer: zie onderkant pot.
Darmkracht B.V., Molenstraat 12, 5611 AB Eindhoven, Nederland"""

EN = """Colonix Tributyrin
Food supplement with tributyrin · 90 softgels
Ingredients: tributyrin, softgel shell (bovine gelatine, humectant: glycerol), antioxidant: rosemary extract.
Per softgel
Tributyrin 500 mg
of which butyric acid 437 mg
Directions: take 1 softgel twice daily with a meal.
Do not exceed the recommended daily dose. Food supplements should not be used as a substitute for a \
varied and balanced diet and a healthy lifestyle.
Keep out of the reach of young children. Store in a cool, dry place.
Best before: see base. Lot: see base.
Colonix Ltd, 14 Harbour Road, Cork T12 X8Y2, Ireland"""

DE = """Vitafors Magnesiumbutyrat
Nahrungsergänzungsmittel mit Magnesiumbutyrat · 60 Kapseln
Zutaten: Magnesiumbutyrat, Maltodextrin, Kapselhülle: Hydroxypropylmethylcellulose, Trennmittel: \
Magnesiumsalze der Speisefettsäuren, Weizenstärke.
Pro Kapsel
Magnesiumbutyrat 400 mg
Verzehrempfehlung: täglich 2 Kapseln mit ausreichend Flüssigkeit verzehren.
Die angegebene empfohlene tägliche Verzehrsmenge darf nicht überschritten werden. \
Nahrungsergänzungsmittel sind kein Ersatz für eine ausgewogene und abwechslungsreiche Ernährung und eine \
gesunde Lebensweise.
Außerhalb der Reichweite von kleinen Kindern aufbewahren. Trocken und lichtgeschützt lagern.
Mindestens haltbar bis: siehe Boden. Charge: siehe Boden.
Vitafors GmbH, Lindenstraße 4, 80331 München, Deutschland"""

FR = """Butyrel Calcium
Complément alimentaire à base de butyrate de calcium · 60 gélules
Ingrédients : butyrate de calcium, amidon de maïs, enveloppe de la gélule : hydroxypropylméthylcellulose, \
anti-agglomérant : dioxyde de silicium, colorant : dioxyde de titane.
Par gélule
Butyrate de calcium 500 mg
Conseils d'utilisation : prendre 2 gélules par jour avec un verre d'eau.
Ne pas dépasser la dose journalière recommandée. Ce complément alimentaire ne se substitue pas à une \
alimentation variée et équilibrée et à un mode de vie sain.
Tenir hors de portée des jeunes enfants. Conserver dans un endroit sec et frais.
À consommer de préférence avant : voir le fond. Lot : voir le fond.
Butyrel SAS, 12 rue des Lilas, 69003 Lyon, France"""

# (active, mg per unit), E-numbers, allergens, units per day
TRUTH = {
    "nl": (NL, (("sodium-butyrate", 550.0),), {"E460", "E464", "E470b", "E551"}, set(), 2.0),
    "en": (EN, (("tributyrin", 500.0),), {"E392", "E422"}, set(), 2.0),
    "de": (DE, (("magnesium-butyrate", 400.0),), {"E464", "E470b"}, {"gluten"}, 2.0),
    "fr": (FR, (("calcium-butyrate", 500.0),), {"E171", "E464", "E551"}, set(), 2.0),
}
PRINTED_PARTICULARS = ("daily_dose", "overdose_warning", "diet_statement", "children_warning", "net_quantity",
                       "best_before", "lot", "operator", "storage")
SEEDS = range(8)


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return default_reference()


def _core(label: ParsedLabel) -> tuple:
    return (tuple(sorted((a.id, a.amount.value if a.amount else None) for a in label.actives)),
            {i.e_number for i in label.ingredients if i.e_number},
            {a for i in label.ingredients for a in i.allergens},
            label.serving.units_per_day_max)


@pytest.mark.parametrize("lang", sorted(TRUTH))
def test_the_clean_labels_read_right(lang: str, ref: ReferenceData) -> None:
    text, actives, additives, allergens, per_day = TRUTH[lang]
    label = parse_label(text, ref)
    assert _core(label) == (actives, additives, allergens, per_day)
    assert label.language == lang
    assert [k for k in PRINTED_PARTICULARS if not label.particulars[k].present] == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", sorted(TRUTH))
def test_one_kind_of_noise_leaves_the_content_right(lang: str, kind: str, ref: ReferenceData) -> None:
    text, actives, additives, allergens, per_day = TRUTH[lang]
    for seed in SEEDS:
        noisy = ocr_noise(text, seed, rate=0.25, kinds=(kind,))
        assert _core(parse_label(noisy, ref)) == (actives, additives, allergens, per_day), (seed, noisy)


@pytest.mark.parametrize("lang", sorted(TRUTH))
def test_mixed_noise_leaves_the_content_and_particulars_right(lang: str, ref: ReferenceData) -> None:
    text, actives, additives, allergens, per_day = TRUTH[lang]
    missing = 0
    for seed in SEEDS:
        label = parse_label(ocr_noise(text, seed, rate=0.1), ref)
        assert _core(label) == (actives, additives, allergens, per_day), seed
        missing += sum(not label.particulars[k].present for k in PRINTED_PARTICULARS)
    assert missing <= 0.03 * len(SEEDS) * len(PRINTED_PARTICULARS)


@pytest.mark.parametrize("lang", sorted(TRUTH))
def test_heavy_noise_never_invents_an_error(lang: str, ref: ReferenceData) -> None:
    """No disease claim, banned additive or allergen that the label does not have, however noisy."""
    text, _, additives, allergens, _ = TRUTH[lang]
    banned = {a.e_number for a in ref.additives if a.banned_eu}
    for seed in range(16):
        label = parse_label(ocr_noise(text, seed, rate=0.4), ref)
        found = _core(label)
        assert label.claims == [], seed
        assert found[1] & banned <= additives & banned, seed
        assert found[2] <= allergens, seed


@pytest.mark.parametrize("lang", sorted(TRUTH))
def test_spans_and_evidence_show_the_printed_text(lang: str, ref: ReferenceData) -> None:
    text = ocr_noise(TRUTH[lang][0], seed=3, rate=0.3)
    label = parse_label(text, ref)
    assert label.text == text
    for ing in label.ingredients:
        assert ing.span is not None
        assert ing.text == " ".join(text[ing.span[0]:ing.span[1]].split())
    flat = " ".join(text.split())
    for active in label.actives:
        assert active.evidence in flat
    for key, particular in label.particulars.items():
        if particular.evidence and key != "ingredients":
            assert particular.evidence.rstrip("…") in flat, key


@pytest.mark.parametrize(("text", "term"), [
    ("Soulage les poussées de psor1asis.", "psor1asis"),
    ("Helps relieve the symptoms of IBS and co1itis.", "IBS"),
    ("Geneest eczeem en pds.", "eczeem"),
])
def test_a_claim_keeps_the_printed_words(text: str, term: str, ref: ReferenceData) -> None:
    claims = parse_label(text, ref).claims
    assert [c.text for c in claims] == [text]
    assert claims[0].term == term


def _ocr(text: str, low: str) -> OcrResult:
    """OCR words of `text`; the word `low` read with low confidence, the others with high confidence."""
    words = tuple(OcrWord(m.group(), 30.0 if m.group().strip(",.") == low else 95.0, (0, 0, 10, 10), 0,
                          m.start(), m.end()) for m in re.finditer(r"\S+", text))
    return OcrResult(text, words, 90.0, "eng+nld+deu+fra", "tesseract 5.3.0", 0.1)


@pytest.mark.parametrize(("low", "rule"), [
    ("Titandi0xid", "additive.banned-eu-unconfirmed"),  # the corrected word alone decides: no error
    ("Farbstoff:", "additive.banned-eu"),
])
def test_a_low_confidence_corrected_word_gives_no_banned_additive_error(low: str, rule: str,
                                                                       ref: ReferenceData) -> None:
    text = ("Zutaten: Reismehl, Kapselhülle: Gelatine, Farbstoff: Titandi0xid.\n"
            "Verzehrempfehlung: täglich 2 Kapseln verzehren.")
    label = parse_label(text, ref)
    banned = [i for i in label.ingredients if i.e_number == "E171"]
    assert [i.text for i in banned] == ["Farbstoff: Titandi0xid"]
    findings = [f for f in rules.evaluate(label, ref, ocr=_ocr(text, low))
                if f.rule.startswith("additive.banned")]
    assert [f.rule for f in findings] == [rule]
    assert "Titandi0xid" in (findings[0].evidence or "")


def test_a_day_dose_word_that_lost_its_last_letter_still_makes_a_day_column(ref: ReferenceData) -> None:
    text = "Ingrediënten: natriumbutyraat, rijstmeel.\nPer 2 capsules (dagdoserin\nNatriumbutyraat 800 mg\n"
    label = parse_label(text, ref)
    assert [(a.id, a.amount.value, a.basis) for a in label.actives] == [("sodium-butyrate", 800, "day")]
    assert label.serving.evidence == "Per 2 capsules (dagdoserin"  # the printed text, not the correction
