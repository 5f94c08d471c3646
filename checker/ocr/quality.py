"""How good an OCR reading is: Tesseract's confidence times the share of words a label would use."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checker.ocr.layout import TsvWord
from checker.textnorm import fold

# Everyday words of supplement labels in the four label languages (folded: lower case, no accents).
# Together with every name in reference/ they make the vocabulary a reading is scored against; a
# garbled reading of a photo finds few of them, a good one finds many.
COMMON_WORDS = """
the and for with per each day daily take use store keep out reach children young food supplement
supplements dietary capsule capsules tablet tablets softgel softgels sachet sachets powder serving
servings size container amount value ingredients other directions warning warnings contains may
traces not exceed recommended dose dosage intake varied balanced diet healthy lifestyle substitute
place cool dry away from direct sunlight light below above before after meal meals water glass
adults best end batch lot number see base bottom pack side made manufactured distributed produced
tested independent laboratory accredited quality free gluten lactose sugar vegan vegetarian natural
which whole swallow twice once one two three four net weight content product packed under
provides providing contains containing acid butyric butyrate vitamin vitamins mineral minerals
de het een en van voor met per dag dagelijks gebruik neem capsule capsules tablet tabletten zakje
voedingssupplement voedingssupplementen ingredienten bewaren buiten bereik kinderen jonge niet
overschrijden aanbevolen dagelijkse dosis vervanging gevarieerde evenwichtige voeding gezonde
leefstijl koel droog donker boven onder bij maaltijd glas water houdbaar tot ten minste zie
partijnummer lotnummer inhoud netto gewicht waarvan elke wordt getest door onafhankelijk
laboratorium geaccrediteerd vulstof capsulewand antiklontermiddel antiklontermiddelen
zoetstof zoetstoffen kleurstof aroma bevat kan sporen zonder gluten lactose suiker
der die das und mit pro tag taglich verzehrempfehlung kapsel kapseln tabletten beutel pulver
nahrungserganzungsmittel zutaten zutat aufbewahren ausserhalb reichweite kindern kleinen lagern
empfohlene tagliche verzehrmenge nicht uberschreiten ersatz abwechslungsreiche ausgewogene
ernahrung gesunde lebensweise kuhl trocken dunkel unter uber einer mahlzeit wasser glas
mindestens haltbar bis siehe boden charge inhalt nettofullmenge davon jede wird gepruft
unabhangigen labor akkreditierten fullstoff trennmittel kapselhulle susungsmittel farbstoff
aroma enthalt kann spuren ohne laktose zucker hergestellt
le la les des du un une et avec par pour jour quotidien quotidienne conseils utilisation prendre
gelule gelules comprime comprimes sachet poudre complement complements alimentaire alimentaires
ingredients conserver hors portee enfants jeunes ne pas depasser dose journaliere recommandee
substituer regime alimentaire varie equilibre mode vie sain endroit frais sec abri lumiere
chaleur dessous dessus avant apres repas verre eau date durabilite minimale consommer
preference numero lot poids net contenance dont chaque teste laboratoire independant accredite
agent charge antiagglomerant edulcorant colorant arome contient peut contenir traces sans
sucre fabrique
"""
_TOKEN = re.compile(r"[^\W\d_]{3,}")
# a token of 3+ letters with a vowel: something that could be a word rather than OCR noise
_VOWEL = re.compile(r"[aeiouy]")
GOOD_CONFIDENCE = 80.0  # mean word confidence of a clean reading (Tesseract reads prints at 90+)
GOOD_KNOWN_SHARE = 0.3  # of word-like tokens found in the vocabulary (a clean label reads 0.4-0.6)
GOOD_KNOWN_WORDS = 25  # a label has at least this many known words when read well


@functools.lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Folded words of reference/ (every name, phrase and pattern) and COMMON_WORDS; loaded once."""
    from checker.reference import default_reference  # late: reading reference/ is slow and optional

    words = set(COMMON_WORDS.split())
    try:
        data = default_reference().model_dump()
    except Exception:  # noqa: BLE001 - a broken reference/ is reported elsewhere; score with less
        data = {}
    words.update(tokens(" ".join(_strings(data))))
    return frozenset(words)


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def tokens(text: str) -> list[str]:
    """Folded runs of 3+ letters."""
    return _TOKEN.findall(fold(text))


@dataclass(frozen=True)
class Assessment:
    """How readable one OCR pass is."""

    mean_confidence: float  # over words with confidence >= 0
    wordlike: int  # tokens of 3+ letters with a vowel
    known: int  # of those, how many are in the vocabulary
    words: int  # all words read

    @property
    def known_share(self) -> float:
        return self.known / self.wordlike if self.wordlike else 0.0

    @property
    def score(self) -> float:
        """Which of two passes read more of the label: confidence x known words (the issue's measure
        of mean confidence x share of vocabulary words, weighted by how much was read)."""
        return self.mean_confidence / 100.0 * self.known

    @property
    def good(self) -> bool:
        """A reading to stop at: confident, and words a label uses, plenty of them."""
        return (self.mean_confidence >= GOOD_CONFIDENCE and self.known_share >= GOOD_KNOWN_SHARE
                and self.known >= GOOD_KNOWN_WORDS)


def assess(words: Sequence[TsvWord]) -> Assessment:
    """Confidence and vocabulary hits of the words of one pass."""
    scored = [w.confidence for w in words if w.confidence >= 0]
    mean = sum(scored) / len(scored) if scored else 0.0
    vocab = vocabulary()
    wordlike = known = 0
    for w in words:
        for token in tokens(w.text):
            if _VOWEL.search(token):
                wordlike += 1
                known += token in vocab
    return Assessment(mean_confidence=mean, wordlike=wordlike, known=known, words=len(words))
