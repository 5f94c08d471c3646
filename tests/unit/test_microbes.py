"""Microorganisms: genus + species (old and new genus names), strain codes and live/inactivated state."""
from __future__ import annotations

import pytest

from checker.parsing.microbes import find_microbes, parse_microbe, same_genus
from checker.reference import default_reference

REF = default_reference()


@pytest.mark.parametrize("text, species, strain, state", [
    # EN
    ("Lactobacillus plantarum L-137 (heat-killed)", "Lactobacillus plantarum", "L-137", "inactivated"),
    ("heat-treated Lacticaseibacillus paracasei", "Lacticaseibacillus paracasei", None, "inactivated"),
    ("Lactobacillus rhamnosus GG (ATCC 53103) 10 billion CFU", "Lactobacillus rhamnosus", "GG", "live"),
    ("Bifidobacterium animalis subsp. lactis BB-12", "Bifidobacterium animalis subsp. lactis", "BB-12",
     "unstated"),
    ("Limosilactobacillus reuteri DSM 17938", "Limosilactobacillus reuteri", "DSM 17938", "unstated"),
    ("Saccharomyces boulardii CNCM I-745", "Saccharomyces boulardii", "CNCM I-745", "unstated"),
    ("Lactiplantibacillus plantarum 299v, 1 x 10^10 CFU", "Lactiplantibacillus plantarum", "299v", "live"),
    ("tyndallised Lactobacillus acidophilus strain LMG P-21381", "Lactobacillus acidophilus", "LMG P-21381",
     "inactivated"),
    ("LACTOBACILLUS PLANTARUM HK-9 (HEAT-KILLED)", "Lactobacillus plantarum", "HK-9", "inactivated"),
    ("LACTOBACILLUS GASSERI (HEAT-KILLED)", "Lactobacillus gasseri", None, "inactivated"),
    # NL
    ("hitte-gedode Lactobacillus gasseri CP-2305", "Lactobacillus gasseri", "CP-2305", "inactivated"),
    ("gepasteuriseerde Akkermansia muciniphila", "Akkermansia muciniphila", None, "inactivated"),
    ("Bifidobacterium longum BL-7 (5 miljard kve)", "Bifidobacterium longum", "BL-7", "live"),
    # DE
    ("hitzeinaktivierte Lactobacillus paracasei K71", "Lactobacillus paracasei", "K71", "inactivated"),
    ("Streptococcus thermophilus ST-21, 3 Mrd. KBE", "Streptococcus thermophilus", "ST-21", "live"),
    ("Lactobacillus helveticus", "Lactobacillus helveticus", None, "unstated"),
    # FR
    ("Lactobacillus casei SC-88 inactivé par la chaleur", "Lactobacillus casei", "SC-88", "inactivated"),
    ("Lactobacillus plantarum inactivé", "Lactobacillus plantarum", None, "inactivated"),
    ("Bifidobacterium breve 2 milliards d'UFC", "Bifidobacterium breve", None, "live"),
    # OCR slip in a long genus name
    ("Lactiplantibacilus plantarum PL-4", "Lactiplantibacillus plantarum", "PL-4", "unstated"),
])
def test_parse_microbe(text, species, strain, state):
    m = parse_microbe(text, REF)
    assert m is not None
    assert (m.species, m.strain, m.state) == (species, strain, state)


@pytest.mark.parametrize("text, strain", [
    ("Lactobacillus paracasei inactivé 50 mg", None),  # never swallow "inactivé" or the amount
    ("Lactiplantibacillus plantarum hitte-geïnactiveerd", None),
    ("Bifidobacterium longum 8 billion CFU", None),
    ("L. plantarum 100 mg", None),
    ("Lactobacillus acidophilus NV-118, 25 mg", "NV-118"),
    ("Lactobacillus casei Shirota", "Shirota"),
    ("Lactobacillus plantarum (KB-27), hitte-gedood", "KB-27"),
])
def test_strain_codes(text, strain):
    m = parse_microbe(text, REF)
    assert m is not None and m.strain == strain


@pytest.mark.parametrize("text, abbreviation, epithet, strain, state", [
    ("L. plantarum, hitte-geïnactiveerd", "L.", "plantarum", None, "inactivated"),
    ("L. reuteri DSM 17938", "L.", "reuteri", "DSM 17938", "unstated"),
    ("B. longum BL-05 inactivé", "B.", "longum", "BL-05", "inactivated"),
    ("L.plantarum KB-3", "L.", "plantarum", "KB-3", "unstated"),  # OCR dropped the space
    ("L rhamnosus LRP-12 pasteurisé", "L.", "rhamnosus", "LRP-12", "inactivated"),  # and the period
])
def test_abbreviated_genus(text, abbreviation, epithet, strain, state):
    """An abbreviation is expanded only when the reference names its genus, otherwise kept as printed."""
    genus = REF.microbes.genus_abbreviations.get(abbreviation)
    expected = f"{genus} {epithet}" if genus in REF.microbes.genera else f"{abbreviation} {epithet}"
    m = parse_microbe(text, REF)
    assert m is not None
    assert (m.species, m.epithet, m.strain, m.state) == (expected, epithet, strain, state)


def test_span_covers_name_and_code():
    text = "Ingredients: rice flour, heat-killed Lactobacillus plantarum L-137, HPMC"
    m = parse_microbe(text, REF)
    assert text[m.start:m.end] == "Lactobacillus plantarum L-137"


@pytest.mark.parametrize("text", [
    "hitte-gedode bifidobacteriën",  # a common noun, no genus and species
    "Milchsäurebakterien",
    "Postbiotica zijn niet-levende bacteriën.",
    "Natriumbutyraat 600 mg",
    "L-carnitine 500 mg",
    "Vitamine D rhamnosus",  # no genus starts with D that has this epithet
    "Lot B sachets",  # a capital before a word that is no epithet
])
def test_no_microbe(text):
    assert parse_microbe(text, REF) is None


def test_two_microbes_in_one_sentence():
    found = find_microbes("Bevat Lactobacillus rhamnosus KR-5 en Bifidobacterium breve BR-3.", REF)
    assert [(m.species, m.strain) for m in found] == [("Lactobacillus rhamnosus", "KR-5"),
                                                      ("Bifidobacterium breve", "BR-3")]


@pytest.mark.parametrize("a, b, same", [
    ("Lactobacillus", "Lactiplantibacillus", True),  # renamed in 2020
    ("L.", "Lacticaseibacillus", True),
    ("B.", "Bifidobacterium", True),
    ("Bifidobacterium", "Lactobacillus", False),
    ("Bacillus", "Lactobacillus", False),
])
def test_same_genus(a, b, same):
    assert same_genus(a, b) is same
