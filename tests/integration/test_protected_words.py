"""The list of real words the OCR correction leaves alone is current with the reference vocabulary."""
from __future__ import annotations

import pytest

from checker.parsing import build_protected, fuzzy
from tests.services import missing_on_this_machine

pytestmark = pytest.mark.tesseract


def test_protected_words_are_rebuilt_after_the_vocabulary_changes() -> None:
    tessdata = build_protected.default_tessdata()
    assert tessdata is not None, "Tesseract's language data is not installed"
    lines = fuzzy.PROTECTED_WORDS.read_text(encoding="utf-8").splitlines()
    if lines[0] != build_protected.header(tessdata):
        missing_on_this_machine("Debian's Tesseract word lists",
                                "the list was built from other Tesseract word lists than the ones installed "
                                "here (Debian's tesseract-ocr-eng/nld/deu/fra, as CI installs them)")
    assert lines[1:] == build_protected.build(tessdata), (
        "protected_words.txt is out of date: run .venv/bin/python -m checker.parsing.build_protected")
