"""Main-language detection of label text (nl, en, de, fr), bilingual labels give the first language."""
from __future__ import annotations

import pytest

from checker.parsing.language import detect_language


@pytest.mark.parametrize(("text", "expected"), [
    ("Neem dagelijks twee tabletten met wat water. Niet geschikt voor kinderen.", "nl"),
    ("Bewaar het potje op een koele plaats. Buiten bereik van kleine kinderen houden.", "nl"),
    ("Take two tablets with a glass of water. Keep the jar closed after use.", "en"),
    ("This food supplement is not a substitute for a varied diet.", "en"),
    ("Morgens eine Kapsel mit einem Glas Wasser einnehmen. Nicht für Kinder geeignet.", "de"),
    ("Trocken lagern und vor Licht schützen. Die Packung ist wiederverschließbar.", "de"),
    ("Prendre une gélule par jour avec un grand verre d'eau. Tenir hors de portée des enfants.", "fr"),
    ("À conserver dans un endroit sec, à l'abri de la lumière et de la chaleur.", "fr"),
])
def test_single_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # the same sentences in two languages: the one printed first is the main language
    ("Neem 1 tablet per dag met water. Niet overschrijden.\n"
     "Prendre 1 comprimé par jour avec de l'eau. Ne pas dépasser.", "nl"),
    ("Prendre 1 comprimé par jour avec de l'eau. Ne pas dépasser.\n"
     "Neem 1 tablet per dag met water. Niet overschrijden.", "fr"),
    # language prefixes decide when the counts are close, even if French words come first elsewhere
    ("Complément alimentaire par la nature\nNL: Neem 1 tablet per dag met water.\n"
     "FR : Prendre 1 comprimé par jour avec de l'eau.", "nl"),
    # a stray foreign word does not make the label bilingual
    ("Take one capsule a day with food. Le Complexe is our brand. Store in a dry place and keep "
     "the lid closed.", "en"),
])
def test_bilingual_labels_give_the_first_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "600 mg 1200 mg", "Natriumbutyraat", "E551 E464"])
def test_no_language_without_words(text: str) -> None:
    assert detect_language(text) is None
