"""Which Tesseract languages the later passes over a label read with."""
from __future__ import annotations

import pytest

from checker.ocr.language import choose_languages, label_languages

ALL = ["eng", "nld", "deu", "fra"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Zutaten: Natriumbutyrat, Füllstoff. Nicht für Kinder. Die empfohlene tägliche Verzehrsmenge darf "
     "nicht überschritten werden. Kühl und trocken lagern.", ["deu"]),
    ("Ingredients: sodium butyrate. Take one capsule daily with water. Keep out of the reach of children. "
     "Store in a cool and dry place.", ["eng"]),
    # a Belgian label prints Dutch and French: both are kept, the main one first
    ("NL: Ingrediënten: natriumbutyraat. Neem dagelijks een capsule met water. Buiten bereik van kinderen "
     "bewaren. Niet overschrijden. FR: Ingrédients : butyrate de sodium. Prendre une gélule par jour. "
     "Tenir hors de portée des enfants.", ["nld", "fra"]),
])
def test_the_languages_a_label_is_printed_in_are_kept(text: str, expected: list[str]) -> None:
    assert choose_languages(text, ALL) == expected


def test_a_reading_too_short_to_tell_keeps_every_language() -> None:
    assert choose_languages("Natriumbutyraat 600 mg", ALL) == ALL
    assert label_languages("", "eng+nld+deu+fra") == "eng+nld+deu+fra"


def test_only_configured_languages_are_chosen_and_unknown_ones_are_kept() -> None:
    german = "Zutaten: Natriumbutyrat. Nicht für Kinder. Kühl und trocken lagern. Die Verzehrsmenge nicht"
    assert choose_languages(german, ["eng", "nld"]) == ["eng", "nld"]  # German is not configured: unsure
    assert label_languages(german + " überschreiten und die Kapseln mit Wasser", "deu+ita") == "deu+ita"
