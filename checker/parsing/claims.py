"""Find disease claims (a disease with a treatment or help cue, outside warnings) and postbiotic wording."""
from __future__ import annotations

import re
from dataclasses import dataclass

from checker.models import Claim
from checker.parsing._text import bounded, cached, compile_all, flatten, make_view, sentence_spans
from checker.reference import ReferenceData

# "bij eczeem", "bei Neurodermitis": the preposition right before the disease is the benefit cue (a
# warning sentence with "bij"/"bei" is blanked as a disclaimer first)
BENEFIT_PREPOSITION = re.compile(r"(?<![a-z])(?:bij|bei)(?: (?:de|het|een|der|die|einer|einem|chronischer|"
                                 r"chronische|leichter|leichte|akuter|akute))? $")


@dataclass(frozen=True)
class _ClaimPatterns:
    diseases: re.Pattern[str] | None
    verbs: re.Pattern[str] | None
    disclaimers: re.Pattern[str] | None
    postbiotic: re.Pattern[str] | None


def _build(ref: ReferenceData) -> _ClaimPatterns:
    c = ref.claims
    return _ClaimPatterns(bounded(c.diseases.patterns.all()), bounded(c.verbs.patterns.all()),
                          compile_all(c.disclaimers.patterns.all()),
                          compile_all(ref.microbes.postbiotic.patterns.all()))


def _patterns(ref: ReferenceData) -> _ClaimPatterns:
    return cached(ref, "claims", _build)


def _blank(text: str, rx: re.Pattern[str] | None) -> str:
    """Replace the disclaimers by spaces (same length, so offsets stay valid)."""
    if rx is None:
        return text
    return rx.sub(lambda m: " " * len(m.group()), text)


def find_claims(text: str, ref: ReferenceData) -> list[Claim]:
    """Sentences that claim to prevent, treat or cure a disease, with the disease term found."""
    p = _patterns(ref)
    if p.diseases is None or p.verbs is None:
        return []
    claims = []
    for start, end in sentence_spans(text):
        view = make_view(text, start, end)
        folded = _blank(view.text, p.disclaimers)
        diseases = list(p.diseases.finditer(folded))
        if not diseases:
            continue
        if p.verbs.search(folded) is None:
            diseases = [d for d in diseases if BENEFIT_PREPOSITION.search(folded, 0, d.start())]
        if diseases:
            d = diseases[0]
            claims.append(Claim(flatten(text[start:end]), view.original(d.start(), d.end())))
    return claims


def find_postbiotic_wording(text: str, ref: ReferenceData) -> str | None:
    """The printed words by which the label presents itself as a postbiotic, or None."""
    rx = _patterns(ref).postbiotic
    view = make_view(text)
    m = rx.search(view.text) if rx else None
    return view.original(m.start(), m.end()) if m else None
