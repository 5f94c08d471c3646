"""Tell which of the configured Tesseract languages a label is printed in, from a first reading of it."""
from __future__ import annotations

from collections.abc import Sequence

from checker.parsing.language import language_scores

# Tesseract's time grows with every language it is given (each word is recognised by each model, and
# each model takes a moment to load): a pass in one language costs about half a pass in four.
TESSERACT_CODES = {"nl": "nld", "en": "eng", "de": "deu", "fr": "fra"}
MIN_HITS = 4  # function-word hits below which the language is not known
SECOND_LANGUAGE_SHARE = 0.25  # of the main language's hits: a bilingual label (NL/FR) keeps both
MIN_SECOND_HITS = 2


def choose_languages(text: str, configured: Sequence[str]) -> list[str]:
    """The configured languages the text is written in, main language first; all of them when unsure.

    Configured languages the detector does not know (an "ita" added by the operator) are always kept.
    """
    known = [lang for lang in configured if lang in TESSERACT_CODES.values()]
    scores = {TESSERACT_CODES[lang]: count for lang, (count, _) in language_scores(text).items()}
    scores = {lang: count for lang, count in scores.items() if lang in known}
    best = max(scores.values(), default=0)
    if best < MIN_HITS:
        return list(configured)
    floor = max(MIN_SECOND_HITS, SECOND_LANGUAGE_SHARE * best)
    shown = sorted((lang for lang, count in scores.items() if count >= floor), key=lambda lang: -scores[lang])
    return shown + [lang for lang in configured if lang not in known]


def label_languages(text: str, languages: str) -> str:
    """The "+"-joined Tesseract setting `languages` narrowed to the languages the text is written in."""
    return "+".join(choose_languages(text, [lang for lang in languages.split("+") if lang]))
