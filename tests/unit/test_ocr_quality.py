"""Scoring an OCR reading by confidence and known label words (no Tesseract)."""
from __future__ import annotations

import pytest

from checker.ocr.layout import TsvWord
from checker.ocr.quality import assess, tokens, vocabulary


def _words(text: str, confidence: float = 90.0) -> list[TsvWord]:
    return [TsvWord(w, confidence, 10 * i, 0, 10, 10, (1, 1, 1, 1), i) for i, w in enumerate(text.split())]


@pytest.mark.parametrize("word", [
    "natriumbutyraat", "calciumbutyrat", "tributyrin", "magnesiumstearaat",  # from reference/
    "capsules", "kinderen", "zutaten", "gélules", "Verzehrempfehlung", "daily",  # common label words
])
def test_the_vocabulary_knows_label_words_in_four_languages(word: str) -> None:
    assert all(token in vocabulary() for token in tokens(word))


@pytest.mark.parametrize(("text", "confidence", "good"), [
    ("Ingrediënten: natriumbutyraat, vulstof: rijstmeel, capsulewand: hydroxypropylmethylcellulose. "
     "Gebruik: neem dagelijks 2 capsules met water. Buiten bereik van jonge kinderen bewaren. "
     "Koel en droog bewaren. De aanbevolen dagelijkse dosis niet overschrijden. Per capsule", 91.0, True),
    ("Ingrediënten: natriumbutyraat, vulstof: rijstmeel, capsulewand: hydroxypropylmethylcellulose. "
     "Gebruik: neem dagelijks 2 capsules met water. Buiten bereik van jonge kinderen bewaren. "
     "Koel en droog bewaren. De aanbevolen dagelijkse dosis niet overschrijden. Per capsule", 60.0, False),
    ("ueqqmmsed nwpdsaa ullonsaed ssɐʇ ɹnzɹǝʇoq uɐʌɹɐɐʍ " * 8, 91.0, False),  # upside down
    ("Koel en droog bewaren.", 95.0, False),  # too little to stop at
])
def test_a_good_reading_is_confident_and_made_of_known_words(text: str, confidence: float,
                                                              good: bool) -> None:
    assert assess(_words(text, confidence)).good is good


def test_more_known_words_read_with_confidence_score_higher() -> None:
    full = assess(_words("natriumbutyraat capsules kinderen bewaren water dagelijks", 90.0))
    half = assess(_words("natriumbutyraat capsules kinderen blorpa wuzeti", 90.0))
    unsure = assess(_words("natriumbutyraat capsules kinderen bewaren water dagelijks", 45.0))
    assert full.score > half.score and full.score > unsure.score
    assert half.known_share < full.known_share == 1.0
