"""Step 2: read the prepared images with Tesseract: text, words with boxes, confidence, passes."""
from __future__ import annotations

from checker.ocr.engine import (
    DEFAULT_LANGUAGES,
    available_languages,
    check_languages,
    read_text,
    tesseract_version,
)
from checker.ocr.passes import ocr_image
from checker.ocr.tsv import ParsedTsv, build_text, parse_tsv, tsv_words

__all__ = ["DEFAULT_LANGUAGES", "ParsedTsv", "available_languages", "build_text", "check_languages",
           "ocr_image", "parse_tsv", "read_text", "tesseract_version", "tsv_words"]
