"""Detect the main language of a label (nl, en, de, fr) from function words and label words."""
from __future__ import annotations

import re

from checker.textnorm import fold

# Distinctive words only: words shared by two languages ("de", "en", "in", "die") are left out.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "nl": frozenset("""het een van met voor niet bij zijn wordt worden geen door uit aan deze dit of
        ook kan mag tot zie neem dag bevat bewaren gebruik gebruiken dagelijkse aanbevolen kinderen
        voeding voedingssupplement ingredienten waarvan buiten bereik houdbaar onderzijde jonge
        kleine droog koel elke na overschrijden innemen""".split()),
    "en": frozenset("""the and of with for to is are not or your this each take daily store keep
        use do may be should children diet food supplement ingredients other which from after
        best our product directions warning capsules""".split()),
    "de": frozenset("""der das und mit fur nicht von zu ein eine ist sind bei aus dem den im auf kein
        keine einer sowie oder bis taglich zutaten kapseln kindern verzehrempfehlung
        nahrungserganzungsmittel ernahrung mindestens haltbar lagern aufbewahren davon enthalt
        kann""".split()),
    "fr": frozenset("""le la les des et du un une pour par ne pas est au aux dans avec sur ce se
        complement alimentaire gelule gelules jour enfants conserver dont prendre sans ou
        alimentation""".split()),
}
_WORD = re.compile(r"[a-z]+")
# "NL:" / "FR :" language prefixes of bilingual labels; the first one printed is the main language
_PREFIX = re.compile(r"(?:^|(?<=[\n.·|\-—]))\s*(nl|fr|de|en)\s?:", re.IGNORECASE)
_CLOSE_SHARE = 0.5  # a second language with at least half the hits makes the label bilingual
_PREFIXED_SHARE = 0.25  # with "NL:"/"FR :" prefixes for two languages, a smaller share suffices
_MIN_HITS = 2


def language_scores(text: str) -> dict[str, tuple[int, int]]:
    """Per language: (number of word hits, position of the first hit)."""
    scores: dict[str, tuple[int, int]] = {}
    for m in _WORD.finditer(fold(text)):
        for lang, words in FUNCTION_WORDS.items():
            if m.group() in words:
                count, first = scores.get(lang, (0, m.start()))
                scores[lang] = (count + 1, first)
    return scores


def detect_language(text: str) -> str | None:
    """Main language of the text: the one with most hits; of two close ones, the one printed first."""
    scores = language_scores(text)
    if not scores:
        return None
    best = max(scores, key=lambda lang: scores[lang][0])
    if scores[best][0] < _MIN_HITS:
        return None
    prefixes = [m.group(1).lower() for m in _PREFIX.finditer(text)]
    if len(set(prefixes)) >= 2:
        first = next((lang for lang in prefixes
                      if scores.get(lang, (0, 0))[0] >= _PREFIXED_SHARE * scores[best][0]), None)
        if first:
            return first
    close = [lang for lang, (count, _) in scores.items() if count >= _CLOSE_SHARE * scores[best][0]]
    if len(close) == 1:
        return best
    return min(close, key=lambda lang: scores[lang][1])
