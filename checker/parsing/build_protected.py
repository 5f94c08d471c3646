"""Build checker/parsing/protected_words.txt: real words that the OCR correction must leave alone.

The correction (fuzzy.py) reads a word that is not in the reference vocabulary as the vocabulary word
it is close to. Real words close to a vocabulary word ("taking" / "caking", "femmes" / "fermes") must
not be changed, so every word of Tesseract's own word lists (eng, nld, deu, fra) that the correction
would change, with one edit of margin, is listed here. Run again after changing the reference
vocabulary or the thresholds:

    .venv/bin/python -m checker.parsing.build_protected [TESSDATA_DIR]
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from checker.parsing import fuzzy
from checker.reference import default_reference
from checker.textnorm import fold

LANGUAGES = ("eng", "nld", "deu", "fra")
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata", "/usr/local/share/tessdata")
_WORD = re.compile(r"[a-z]+")
HEADER_START = "# built by python -m checker.parsing.build_protected from tessdata sha256 "


def tesseract_words(tessdata: Path, lang: str, work: Path) -> list[str]:
    """The words of one language's LSTM dictionary (combine_tessdata + dawg2wordlist)."""
    traineddata = tessdata / f"{lang}.traineddata"
    dawg, unicharset, out = work / f"{lang}.dawg", work / f"{lang}.unicharset", work / f"{lang}.txt"
    subprocess.run(["combine_tessdata", "-e", str(traineddata), str(dawg.with_suffix(".lstm-word-dawg")),
                    str(unicharset.with_suffix(".lstm-unicharset"))], check=True, capture_output=True)
    subprocess.run(["dawg2wordlist", str(unicharset.with_suffix(".lstm-unicharset")),
                    str(dawg.with_suffix(".lstm-word-dawg")), str(out)], check=True, capture_output=True)
    return out.read_text(encoding="utf-8", errors="replace").split()


def protected_words(words: set[str], vocab: fuzzy.Vocabulary) -> list[str]:
    """The words the correction would change (read as another word with one more edit allowed than it
    uses, or split into words)."""
    bare = vocab.without_protection()
    # a word that differs from a target only by the surest confusions is an OCR slip even when Tesseract's
    # list has it ("vervanglng"): not protected
    slips = {fuzzy.strong_skeleton(t) for t in vocab.targets}
    out = []
    for word in sorted(words):
        if fuzzy.strong_skeleton(word) in slips:
            continue
        token = fuzzy.Token(0, len(word), word, word)
        if fuzzy.match_word(word, bare, margin=1) is not None or fuzzy.split_word(token, bare, phrases=False):
            out.append(word)
    return out


def default_tessdata() -> Path | None:
    """The first of the usual tessdata directories that exists."""
    return next((Path(d) for d in TESSDATA_DIRS if Path(d).is_dir()), None)


def fingerprint(tessdata: Path) -> str:
    """SHA-256 of the four languages' traineddata files: the word lists the protected words come from."""
    digest = hashlib.sha256()
    for lang in LANGUAGES:
        digest.update((tessdata / f"{lang}.traineddata").read_bytes())
    return digest.hexdigest()


def header(tessdata: Path) -> str:
    return f"{HEADER_START}{fingerprint(tessdata)}"


def build(tessdata: Path) -> list[str]:
    """The protected words for these word lists and the current reference vocabulary, sorted."""
    words: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for lang in LANGUAGES:
            words |= {w for w in map(fold, tesseract_words(tessdata, lang, Path(tmp)))
                      if len(w) >= 3 and _WORD.fullmatch(w)}
    vocab = fuzzy.vocabulary(default_reference())
    return protected_words(words - vocab.known, vocab)


def main(argv: list[str]) -> int:
    tessdata = Path(argv[1]) if len(argv) > 1 else default_tessdata()
    if tessdata is None:
        print("no tessdata directory found; pass it as the first argument", file=sys.stderr)
        return 2
    kept = build(tessdata)
    fuzzy.PROTECTED_WORDS.write_text("\n".join([header(tessdata), *kept]) + "\n", encoding="utf-8")
    print(f"{len(kept)} protected words written to {fuzzy.PROTECTED_WORDS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
