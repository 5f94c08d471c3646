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
