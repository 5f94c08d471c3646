"""A small, seeded generator of the slips Tesseract makes on label photos, for parser tests."""
from __future__ import annotations

import random
import re
import unicodedata

# letter slips seen on label photos: l/I/1, rn/m, O/0, e/c, S/5, B/8, ß read as B
SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("l", "1"), ("l", "I"), ("I", "l"), ("i", "l"), ("m", "rn"), ("rn", "m"), ("O", "0"), ("o", "0"),
    ("e", "c"), ("c", "e"), ("S", "5"), ("B", "8"), ("ß", "B"), ("t", "f"), ("u", "ii"),
)
_WORD = re.compile(r"[^\W\d_]{4,}")
KINDS = ("substitute", "accents", "split", "merge", "comma", "hyphenate")


def drop_accents(word: str) -> str:
    """"Ingrediënten" -> "Ingredienten", "gélule" -> "gelule" (not ß, which OCR reads as B)."""
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def substitute(word: str, rng: random.Random) -> str:
    """One letter slip inside the word, when it has a letter that OCR confuses."""
    options = [(a, b) for a, b in SUBSTITUTIONS if a in word[1:]]
    if not options:
        return word
    a, b = rng.choice(options)
    positions = [m.start() for m in re.finditer(re.escape(a), word) if m.start() > 0]
    pos = rng.choice(positions)
    return word[:pos] + b + word[pos + len(a):]


def ocr_noise(text: str, seed: int, rate: float = 0.08, kinds: tuple[str, ...] = KINDS) -> str:
    """The text with about `rate` of its words damaged the way OCR damages them: a letter slip, lost
    accents, a word split in two or merged with the next, a lost comma, a hyphenation at a line end."""
    rng = random.Random(seed)
    out: list[str] = []
    pos = 0
    for m in _WORD.finditer(text):
        out.append(text[pos:m.start()])
        word, pos = m.group(), m.end()
        if rng.random() >= rate:
            out.append(word)
            continue
        kind = rng.choice(kinds)
        if kind == "substitute":
            word = substitute(word, rng)
        elif kind == "accents":
            word = drop_accents(word)
        elif kind == "split" and len(word) >= 8:
            cut = rng.randint(3, len(word) - 3)
            word = word[:cut] + " " + word[cut:]
        elif kind == "hyphenate" and len(word) >= 8:
            cut = rng.randint(3, len(word) - 3)
            word = word[:cut] + "-\n" + word[cut:]
        elif kind == "merge" and text[pos:pos + 1] == " " and text[pos + 1:pos + 2].isalpha():
            pos += 1  # the space after the word is lost
        elif kind == "comma" and text[pos:pos + 1] == ",":
            pos += 1
        out.append(word)
    out.append(text[pos:])
    return "".join(out)
