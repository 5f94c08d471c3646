"""Disease claims (a claim verb with a disease in one sentence) and postbiotic wording."""
from __future__ import annotations

import pytest

from checker.parsing.claims import find_claims, find_postbiotic_wording
from checker.reference import ReferenceData, default_reference


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return default_reference()


@pytest.mark.parametrize(("text", "term"), [
    ("Relieves the discomfort of irritable bowel syndrome.", "irritable bowel syndrome"),
    ("Clinically shown to heal eczema in four weeks.", "eczema"),
    ("Helps prevent colon cancer.", "cancer"),
    ("The natural remedy for Crohn's disease.", "Crohn's disease"),
    ("Verlicht de klachten van PDS.", "PDS"),
    ("Geneest psoriasis op een natuurlijke manier.", "psoriasis"),
    ("Helpt tegen eczeem en acne.", "eczeem"),
    ("Lindert die Beschwerden bei Reizdarm.", "Reizdarm"),
    ("Heilt Neurodermitis von innen.", "Neurodermitis"),
    ("Soulage les symptômes du SII.", "SII"),
    ("Apaise les poussées d'eczéma.", "eczéma"),
    ("Aide à lutter contre le diabète.", "diabète"),
    ("Protects against colds and flu.", "colds"),
    ("Beugt Osteoporose wirksam vor.", "Osteoporose"),
])
def test_disease_claims(text: str, term: str, ref: ReferenceData) -> None:
    claims = find_claims(text, ref)
    assert len(claims) == 1
    assert claims[0].term == term and claims[0].text == text


@pytest.mark.parametrize("text", [
    # the FDA disclaimer names "treat", "cure", "prevent" and "disease"
    "*These statements have not been evaluated by the Food and Drug Administration. This product is "
    "not intended to diagnose, treat, cure, or prevent any disease.",
    # health-neutral wording
    "Supports gut lining health and a balanced microbiome.",
    "Voor een evenwichtige darmflora.",
    "Trägt zu einer normalen Verdauung bei.",
    "Contribue au bon fonctionnement du système immunitaire.",
    # a disease without a claim verb, and warnings that name diseases
    "Consult your doctor before use if you have diabetes or are being treated for cancer.",
    "Raadpleeg bij diabetes of een behandeling tegen kanker eerst uw arts.",
    "Bei Diabetes fragen Sie vor der Einnahme Ihren Arzt.",
    "Déconseillé en cas de traitement contre le cancer.",
    # a claim verb without a disease
    "Soothes the stomach after a heavy meal.",
])
def test_no_claims(text: str, ref: ReferenceData) -> None:
    assert find_claims(text, ref) == []


def test_claim_next_to_a_disclaimer_is_still_found(ref: ReferenceData) -> None:
    text = ("Cures IBS in two weeks. This product is not intended to diagnose, treat, cure, or prevent "
            "any disease.")
    assert [c.term for c in find_claims(text, ref)] == ["IBS"]


@pytest.mark.parametrize(("text", "found"), [
    ("Advanced postbiotic formula", "postbiotic"),
    ("Postbioticum met hitte-gedode bacteriën", "Postbioticum"),
    ("Postbiotikum für den Darm", "Postbiotikum"),
    ("Complément postbiotique", "postbiotique"),
    ("Probiotic and prebiotic blend", None),
])
def test_postbiotic_wording(text: str, found: str | None, ref: ReferenceData) -> None:
    assert find_postbiotic_wording(text, ref) == found


@pytest.mark.parametrize(("text", "term"), [
    # a disease with a help cue instead of a classic claim verb
    ("Helps with Crohn's disease.", "Crohn's disease"),
    ("Calms colitis flare-ups within days.", "colitis"),
    ("The natural aid for people with psoriasis.", "psoriasis"),
    ("Made for IBS sufferers.", "IBS"),
    ("Effective against stubborn acne.", "acne"),
    ("Een natuurlijke hulp bij eczeem.", "eczeem"),
    ("Ideaal voor mensen met PDS.", "PDS"),
    ("Werkzaam bij de ziekte van Crohn.", "ziekte van Crohn"),
    ("Kalmeert de darm bij colitis.", "colitis"),
    ("Gegen Schuppenflechte.", "Schuppenflechte"),
    ("Wohltuend bei Neurodermitis.", "Neurodermitis"),
    ("Bei Reizdarm die erste Wahl.", "Reizdarm"),
    ("Für Menschen mit Morbus Crohn entwickelt.", "Morbus Crohn"),
    ("Efficace contre le syndrome de l'intestin irritable.", "syndrome de l'intestin irritable"),
    ("Idéal pour les personnes souffrant d'eczéma.", "eczéma"),
    ("Calme les poussées de psoriasis.", "psoriasis"),
])
def test_disease_claims_without_a_classic_verb(text: str, term: str, ref: ReferenceData) -> None:
    assert [c.term for c in find_claims(text, ref)] == [term]


@pytest.mark.parametrize("text", [
    # warnings and contra-indications name diseases and cue words, but claim nothing
    "Not suitable for people with IBS.",
    "Consult your doctor if you have diabetes.",
    "Ask a physician before use if you suffer from colitis.",
    "Pregnant women and people with kidney disease should avoid this product.",
    "Suitable for people with coeliac disease: gluten free.",
    "Bij gebruik van medicatie eerst uw arts raadplegen.",
    "Niet aanbevolen voor mensen met de ziekte van Crohn.",
    "Bij diarree het gebruik staken.",
    "Nicht geeignet bei Reizdarm.",
    "Bei Diabetes vor der Einnahme mit dem Arzt sprechen.",
    "Schwangere und Menschen mit Diabetes nur nach Rücksprache einnehmen.",
    "Déconseillé aux personnes souffrant de diabète.",
    "En cas de maladie de Crohn, demandez l'avis de votre médecin.",
    "Ne pas utiliser en cas de colite.",
    # the FDA disclaimer in other words
    "This product is not meant to diagnose, treat, cure or prevent any disease.",
])
def test_warnings_are_not_claims(text: str, ref: ReferenceData) -> None:
    assert find_claims(text, ref) == []
