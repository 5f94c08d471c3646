"""Text normalisation shared by the parser and the reference lookups."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                         "\u2212": "-", "\u00ad": "", "\u2019": "'", "\u2018": "'", "\u00b4": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00a0": " ", "\u202f": " "})
_SPACES = re.compile(r"[ \t\f\v]+")


def clean(text: str) -> str:
    """Unify dashes, quotes and spaces; keep case, accents and line breaks."""
    text = unicodedata.normalize("NFC", text).translate(_DASHES)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())


def fold(text: str) -> str:
    """Lower-case, strip accents (ë->e, ß->ss, µ->u), unify dashes: for matching only.

    Keeps the string length stable for plain letters so offsets stay close; never shown to users.
    """
    text = clean(text).replace("ß", "ss").replace("µ", "u").replace("μ", "u")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.lower()


@functools.lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if ch == "\n":
        return ch
    f = fold(ch)
    return f[:1] if f else " "


def fold_keep_offsets(text: str) -> str:
    """Like fold() but one output char per input char, so match offsets map back to `text`."""
    return "".join(map(_fold_char, text))


def join_unique(parts: Iterable[str | None]) -> str | None:
    """The distinct non-empty parts in order, joined by "; " (None when there are none)."""
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return "; ".join(seen) or None
