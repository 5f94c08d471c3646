"""The parser hands over one entry per active: an organism printed twice is one organism."""
from __future__ import annotations

from checker.models import Active, Amount
from checker.parsing import parse_label
from checker.parsing.one_per_active import one_per_active
from checker.reference import default_reference


def test_an_organism_in_the_list_and_the_table_is_one_organism_with_what_both_say() -> None:
    text = ("Ingredients: tributyrin, Lacticaseibacillus rhamnosus KR-19 (heat-killed).\n"
            "Per stick: Tributyrin 900 mg, L. rhamnosus KR19 1 billion CFU.")
    organisms = [a for a in parse_label(text, default_reference()).actives if a.id == "microorganism"]
    assert len(organisms) == 1
    (organism,) = organisms
    assert organism.species == "Lacticaseibacillus rhamnosus" and organism.strain == "KR-19"
    # a CFU count on either mention makes the organism live, whatever the list says
    assert organism.state == "live" and organism.count is not None and organism.in_ingredients


def test_butyrate_in_a_blurb_beside_a_named_salt_is_that_salt_again() -> None:
    salt = Active(id="sodium-butyrate", name="Natriumbutyraat", evidence="Natriumbutyraat 500 mg",
                  amount=Amount(500, "mg", "500 mg"), basis="unit", in_ingredients=True)
    blurb = Active(id="butyrate-unspecified", name="butyraat", evidence="dankzij butyraat")
    listed = Active(id="butyrate-unspecified", name="butyraat", evidence="butyraat", in_ingredients=True)
    assert one_per_active([salt, blurb]) == [salt]
    assert one_per_active([salt, listed]) == [salt, listed]  # in the list it is an ingredient of its own
