"""Folded, whitespace-flattened views of label text that map match offsets back to the source."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from checker.textnorm import fold

_WORD_CHAR = re.compile(r"[a-z]")
# a sentence ends at . ! ? before a space or the end (not after an abbreviation or a single letter)
_SENTENCE_END = re.compile(r"[.!?](?= |$)")
ABBREVIATIONS = frozenset("""ca nr no st vs bzw inkl incl vit min max ch sp spp ssp subsp var ext approx
    wt exp gew inh tbl caps""".split())


@dataclass(frozen=True)
class View:
    """Folded text (lower-case, no accents) with whitespace runs collapsed to one space and words
    hyphenated over a line break joined; `offsets[i]` is the source index of `text[i]`."""

    text: str
    offsets: tuple[int, ...]
    source: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source span of view[start:end]."""
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.source)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1

    def original(self, start: int, end: int) -> str:
        """The source text behind view[start:end], whitespace flattened."""
        s, e = self.span(start, end)
        return flatten(self.source[s:e])


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Folded form of one character ("ß" -> "ss", "É" -> "e"); whitespace stays whitespace."""
    if ch.isspace():
        return " "
    return fold(ch) or " "


def make_view(source: str, start: int = 0, end: int | None = None) -> View:
    """Build the matching view of source[start:end]."""
    end = len(source) if end is None else end
    chars: list[str] = []
    offsets: list[int] = []
    i = start
    while i < end:
        ch = source[i]
        if ch == "-" and chars and _WORD_CHAR.match(chars[-1]):
            j = i + 1
            while j < end and source[j] in " \t":
                j += 1
            if j < end and source[j] == "\n":
                while j < end and source[j].isspace():
                    j += 1
                if j < end and source[j].islower():  # a word hyphenated over a line break
                    i = j
                    continue
        if ch.isspace() and _split_ij(source, chars, i, end):
            i += 1  # OCR splits the Dutch "ij": "overschri jden" -> "overschrijden"
            continue
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                offsets.append(i)
            i += 1
            continue
        for f in _fold_char(ch):
            chars.append(f)
            offsets.append(i)
        i += 1
    return View("".join(chars), tuple(offsets), source)


def _split_ij(source: str, chars: list[str], i: int, end: int) -> bool:
    return (len(chars) >= 2 and chars[-1] == "i" and chars[-2].isalpha() and i + 2 < end
            and source[i + 1] == "j" and source[i + 2].isalpha() and source[i + 2].islower())


def flatten(text: str) -> str:
    """Collapse whitespace runs (line breaks included) to single spaces."""
    return " ".join(text.split())


def compile_all(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of many regexes (each in a non-capturing group), or None when empty."""
    pats = [p for p in patterns if p]
    if not pats:
        return None
    return re.compile("|".join(f"(?:{p})" for p in pats))


def sentences(view: View) -> Iterator[tuple[int, int]]:
    """Spans of the sentences of a view (ends at . ! ? before a capital/number, or at the end)."""
    start = 0
    for m in _SENTENCE_END.finditer(view.text):
        end = m.end()
        if abbreviation_before(view.text, m.start()):
            continue
        nxt = end + 1
        if nxt < len(view.text) and view.source[view.offsets[nxt]].islower():
            continue  # "... 1 caps. daily" - the next word goes on in lower case
        if view.text[start:end].strip():
            yield _strip_span(view.text, start, end)
        start = end
    if view.text[start:].strip():
        yield _strip_span(view.text, start, len(view.text))


def abbreviation_before(folded: str, i: int) -> bool:
    """Is the period at folded[i] the end of an abbreviation ("L.", "ca.", "Ch.")?"""
    k = i
    while k > 0 and folded[k - 1].isalpha():
        k -= 1
    token = folded[k:i]
    return len(token) == 1 or token in ABBREVIATIONS


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


_CACHE: dict[tuple[int, str], tuple[object, object]] = {}


def cached(ref: object, key: str, build):  # noqa: ANN001, ANN201 - tiny memo helper
    """Memoise `build(ref)` per reference object (the reference is loaded once per process)."""
    hit = _CACHE.get((id(ref), key))
    if hit is None or hit[0] is not ref:
        hit = (ref, build(ref))
        _CACHE[(id(ref), key)] = hit
    return hit[1]


MEMO_SIZE = 20_000


def memo(ref: object, key: str) -> dict:
    """A per-reference memo of a pure function's results (cleared when it grows past MEMO_SIZE): a long
    text with no heading makes the parser read the same ingredient items again from every block."""
    table = cached(ref, "memo-" + key, lambda _: {})
    if len(table) > MEMO_SIZE:
        table.clear()
    return table


def bounded(patterns: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of regexes that must start and end at word boundaries (letters only)."""
    pats = [p for p in patterns if p]
    if not pats:
        return None
    # never start inside a run of digits: a pattern opening with \d+ would otherwise rescan the rest of a
    # long number from every position (quadratic on "1111...")
    return re.compile("(?<![a-z])(?!(?<=\\d)\\d)(?:" + "|".join(f"(?:{p})" for p in pats) + ")(?![a-z])")


_TABLE_LINE = re.compile(r"\d\s?(?:mg|g|µg|ug|mcg|%|kcal|kj|iu|cfu)\W*$", re.IGNORECASE)
_HEADING_WORDS = 4  # a line of at most this many words without final punctuation may be a heading


def blocks(text: str) -> list[tuple[int, int]]:
    """Source spans of the label's blocks: paragraphs split at blank lines, table rows (a tab), lines
    ending a sentence, and short heading-like lines followed by a capitalised line."""
    spans: list[tuple[int, int]] = []
    lines = line_spans(text)
    following = _following_lines(text, lines)
    start = None
    for n, (a, b) in enumerate(lines):
        line = text[a:b].strip()
        if not line:
            if start is not None and not _runs_on(text, lines, n, following[n]):
                spans.append((start, _prev_end(lines, n)))
                start = None
            continue
        if "\t" in line:
            if start is not None:
                spans.append((start, _prev_end(lines, n)))
            spans.append((a, b))
            start = None
            continue
        if start is not None and _heading_like(line) and not _open_end(text[lines[n - 1][0]:lines[n - 1][1]]):
            spans.append((start, _prev_end(lines, n)))  # a heading starts its own block
            start = None
        if start is None:
            start = a
        if _block_ends(text, lines, n, following[n]):
            spans.append((start, b))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _following_lines(text: str, lines: list[tuple[int, int]]) -> list[str]:
    """For each line, the next non-blank line after it (stripped), or "" (one pass from the end, so that
    a text of many blank lines stays linear)."""
    out = [""] * len(lines)
    nxt = ""
    for n in range(len(lines) - 1, -1, -1):
        out[n] = nxt
        a, b = lines[n]
        nxt = text[a:b].strip() or nxt
    return out


def _runs_on(text: str, lines: list[tuple[int, int]], n: int, after: str) -> bool:
    """Does the sentence before the blank line n go on after it? OCR puts blank lines inside paragraphs:
    "Außerhalb der Reichweite von kleinen" / "" / "Kindern lagern." (a long line left unfinished, and
    a next line that is no heading)."""
    before = text[lines[n - 1][0]:lines[n - 1][1]].strip() if n else ""
    if not before or not after or "\t" in before or "\t" in after:
        return False
    unfinished = len(before.split()) > _HEADING_WORDS and not before.endswith((".", "!", "?", ":", ";"))
    return unfinished and not _heading_like(after) and not _TABLE_LINE.search(before)


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of text (end excludes the line break)."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _prev_end(lines: list[tuple[int, int]], n: int) -> int:
    return lines[n - 1][1] if n else 0


def _heading_like(line: str) -> bool:
    """A short line starting with a capital and without final punctuation ("Directions", "Per capsule")."""
    return (len(line.split()) <= _HEADING_WORDS and line[:1].isupper()
            and not line.rstrip().endswith((".", "!", "?", ",", ";", ":", "-", "(", "&")))


def _open_end(line: str) -> bool:
    """Does the line end in the middle of something (a comma, a colon, a hyphen)?"""
    return line.rstrip().endswith((",", ":", "-", "(", "&", ";"))


def _block_ends(text: str, lines: list[tuple[int, int]], n: int, nxt: str) -> bool:
    a, b = lines[n]
    line = text[a:b].rstrip()
    if not nxt:
        return True
    if line.endswith((".", "!", "?")) and not re.search(r"(?:^|\s)\w{1,2}\.$", line):
        return True
    return _heading_like(line) and (nxt[:1].isupper() or nxt[:1].isdigit())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Source spans of the sentences of every block."""
    out = []
    for a, b in blocks(text):
        view = make_view(text, a, b)
        for s, e in sentences(view):
            out.append(view.span(s, e))
    return out
