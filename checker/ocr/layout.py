"""Pure repairs of Tesseract's layout: merge two passes, rejoin table rows and split words, reorder blocks."""
from __future__ import annotations

import heapq
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

# a block of lines this short, each right of another line on the same row, is a table column
MAX_CELL_WORDS = 6
MEDIAN_CELL_WORDS = 3
MAX_SPLIT_GAP = 2.5  # line heights: a one-line block this close right of a line continues it
MAX_SPLIT_WORD_GAP = 0.12  # of the word height: a narrower space is inside a word (real ones are ~0.25)
NEXT_LINE = 2.0  # x the line height: a line added this close below another continues its paragraph
NEW_LINE_BASE = 10_000  # line (or paragraph) numbers given to lines added by a second pass
MIN_MERGE_CONFIDENCE = 60.0  # a word the other pass read must be at least this sure to be added
# an amount ("450mg", "393") is rarely what noise reads as: a lone table cell the sparse pass read unsure
MIN_AMOUNT_CONFIDENCE = 30.0
MAX_LINES_ABOVE = 4.0  # x the line height: how far above an added line the line it continues may lie
RAGGED_START = 2.0  # line heights: lines of one column start within this of each other
SPECK_SIZE = 0.35  # x the median word height: a one- or two-character "word" smaller than this is dust
MAX_ORPHAN_CELL_WORDS = 3  # a lone table cell: "35 mg", "12 billion CFU"
RIGHT_ALIGNED = 0.08  # of the text width: a cell ending this close to the right edge is right-aligned
MAX_PARAGRAPH_GAP = 1.0  # line heights between a line and the next block that may continue its sentence
_SENTENCE_END = (".", "!", "?", ":", ";")
# a word that looks like language rather than noise: 3+ letters with a vowel, nothing else
_WORDLIKE = re.compile(r"^[^\W\d_]{3,}$")
# a number with a mass or volume unit, or of two digits or more, as one word: "450mg", "393", "2,5g"
# (a lone digit is what specks at a glare spot's edge are read as)
_AMOUNT = re.compile(r"^(?:\d{2,5}(?:[.,]\d{1,3})?|\d{1,5}(?:[.,]\d{1,3})?(?:mg|g|µg|μg|mcg|ug|ml|IU))$",
                     re.IGNORECASE)
_VOWEL = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]", re.IGNORECASE)
_PUNCT_EDGES = ".,;:()[]!?\"'«»%*"

LineKey = tuple[int, int, int, int]  # page, block, paragraph, line


@dataclass(frozen=True)
class TsvWord:
    """One word row of Tesseract's TSV, in pixels of the image Tesseract read."""

    text: str
    confidence: float
    left: int
    top: int
    width: int
    height: int
    line_key: LineKey
    word_num: int = 0

    @property
    def bottom(self) -> int:
        return self.top + self.height


def group_lines(words: Sequence[TsvWord]) -> dict[LineKey, list[TsvWord]]:
    """Words per line, lines in order of first appearance, words in word_num order."""
    lines: dict[LineKey, list[TsvWord]] = {}
    for word in words:
        lines.setdefault(word.line_key, []).append(word)
    return {key: sorted(ws, key=lambda w: w.word_num) for key, ws in lines.items()}


def _overlaps(a: TsvWord, b: TsvWord) -> bool:
    dx = min(a.left + a.width, b.left + b.width) - max(a.left, b.left)
    dy = min(a.bottom, b.bottom) - max(a.top, b.top)
    return dx > 0 and dy > 0 and dx * dy > 0.2 * min(a.width * a.height, b.width * b.height)


def _line_for(word: TsvWord, lines: dict[LineKey, list[TsvWord]], slope: float = 0.0) -> LineKey | None:
    """The line `word` sits on (allowing for skew), nearest horizontally; else None."""
    best: tuple[float, LineKey] | None = None
    for key, ws in lines.items():
        if not _same_row([word], ws, slope):
            continue
        left, right = min(w.left for w in ws), max(w.left + w.width for w in ws)
        gap = max(0, left - (word.left + word.width), word.left - right)
        if best is None or gap < best[0]:
            best = (gap, key)
    return None if best is None else best[1]


def merge_words(base: Sequence[TsvWord], extra: Sequence[TsvWord],
                min_confidence: float = MIN_MERGE_CONFIDENCE) -> list[TsvWord]:
    """Add to `base` the confident words of `extra` (another pass over the same image) it lacks.

    A word joins the base line it sits on (so "600 mg" read beside a table rule lands after its row
    label); words on no base line form new lines, placed among the base lines by height on the page.
    """
    lines = group_lines(base)
    slope = page_slope(lines)
    new_lines: dict[LineKey, list[TsvWord]] = {}
    for word in extra:
        needed = min(min_confidence, MIN_AMOUNT_CONFIDENCE) if _AMOUNT.match(word.text) else min_confidence
        if (word.confidence < needed or not any(ch.isalnum() for ch in word.text)
                or any(_overlaps(word, b) for b in base)):
            continue
        key = _line_for(word, lines, slope)
        if key is None:
            new_key = (word.line_key[0], 1000 + word.line_key[1], *word.line_key[2:])
            new_lines.setdefault(new_key, []).append(word)
        else:
            lines[key].append(replace(word, line_key=key))
    for key, ws in lines.items():  # reading order within a line is left to right
        lines[key] = [replace(w, word_num=i) for i, w in enumerate(sorted(ws, key=lambda w: w.left), 1)]
    order = list(lines)
    # numbers no line of `base` has, so lines added by an earlier merge are not overwritten
    first_new = max([NEW_LINE_BASE - 1, *(max(k[2:]) for k in lines)]) + 1
    for n, (key, ws) in enumerate(new_lines.items(), first_new):
        middle = _middle(ws)
        # after the nearest line above it in its own column (Tesseract's reading order is by column, so
        # the first line lower on the page may belong to another column), in that line's block: the
        # last line of a paragraph ("Siliciumdioxid.") continues it; else before the first lower line
        # (not a line far up the page that only shares the column: a lone amount at the right edge, its
        # row name lost to glare, is not the end of the subtitle that last reached that far right)
        reach = MAX_LINES_ABOVE * max(w.height for w in ws)
        above = [k for k in order if middle - reach < _middle(lines[k]) < middle
                 and _same_column(_box(lines[k]), _box(ws))]
        if above:
            prior = max(above, key=lambda k: _middle(lines[k]))
            at = order.index(prior) + 1
            height = max(w.height for w in lines[prior])
            if middle - _middle(lines[prior]) <= NEXT_LINE * height:
                key = (*prior[:3], n)
            else:
                key = (*prior[:2], n, 1)
        else:
            at = next((i for i, k in enumerate(order) if _middle(lines[k]) > middle), len(order))
        order.insert(at, key)
        lines[key] = [replace(w, line_key=key) for w in ws]
    return [w for key in order for w in lines[key]]


def replace_weak(base: Sequence[TsvWord], extra: Sequence[TsvWord],
                 min_confidence: float = MIN_MERGE_CONFIDENCE) -> list[TsvWord]:
    """`base` merged with `extra` (another pass over the same image), where a base word gives way to a
    more confident extra word over it: a word the first pass misread in glare, read again on the
    relit view."""
    weaker: set[int] = set()
    for e in extra:
        if e.confidence < min_confidence:
            continue
        under = [i for i, w in enumerate(base) if _overlaps(w, e)]
        # one word for one word only: read alone, two neighbours often run together ("enpartij")
        if len(under) == 1 and e.confidence > base[under[0]].confidence:
            weaker.add(under[0])
    return merge_words([w for i, w in enumerate(base) if i not in weaker], extra, min_confidence)


def _middle(words: Sequence[TsvWord]) -> float:
    return sum(w.top + w.height / 2 for w in words) / len(words)


def _same_row(a: Sequence[TsvWord], b: Sequence[TsvWord], slope: float = 0.0) -> bool:
    """Whether two lines sit at the same height once the page's skew (dy per dx) is allowed for."""
    shift = slope * (_centre_x(a) - _centre_x(b))  # where b's row lies below a
    top_a, bottom_a = min(w.top for w in a), max(w.bottom for w in a)
    top_b, bottom_b = min(w.top for w in b) + shift, max(w.bottom for w in b) + shift
    overlap = min(bottom_a, bottom_b) - max(top_a, top_b)
    return overlap >= 0.5 * min(bottom_a - top_a, bottom_b - top_b)


def _centre_x(words: Sequence[TsvWord]) -> float:
    return (min(w.left for w in words) + max(w.left + w.width for w in words)) / 2


def page_slope(lines: Mapping[LineKey, Sequence[TsvWord]]) -> float:
    """Median rise of text lines (dy per dx, y down) from word bottoms; 0 when too few long lines.

    A scan skewed by 1.5 degrees puts an amount 1000 px to the right 26 px higher than its row label.
    """
    slopes = []
    for ws in lines.values():
        if len(ws) < 4:
            continue
        xs = np.asarray([w.left + w.width / 2 for w in ws], dtype=np.float64)
        ys = np.asarray([w.bottom for w in ws], dtype=np.float64)
        if xs.max() - xs.min() > 0:
            slopes.append(float(np.polyfit(xs, ys, 1)[0]))
    return float(np.median(slopes)) if len(slopes) >= 3 else 0.0


def join_table_rows(words: Sequence[TsvWord]) -> list[TsvWord]:
    """Put table cells that Tesseract read as separate blocks back on the line of their row.

    A block of short lines ("300 mg", "45 mg") whose every line sits to the right of a line of
    another block at the same height joins those lines: "Zinkbutyrat" + "300 mg" -> one line. So
    does a block of longer lines that start at scattered places: the right halves of lines that glare
    or a crease cut in two. A block of longer lines starting in one column (a second column of
    running text) is left alone.
    """
    lines = group_lines(words)
    blocks: dict[tuple[int, int], list[LineKey]] = {}
    for key in lines:
        blocks.setdefault(key[:2], []).append(key)
    moved: dict[LineKey, LineKey] = {}
    slope = page_slope(lines)
    for block, keys in blocks.items():
        partners = [_left_partner(lines, k, block, slope) for k in keys]
        block_lines = [lines[k] for k in keys]
        if all(partners) and (_is_table_column(block_lines) or _ragged_start(block_lines)
                              or len(keys) == 1 and _continues(lines[partners[0]], lines[keys[0]])):
            moved.update(zip(keys, partners, strict=True))  # type: ignore[arg-type]
    if not moved:
        return list(words)
    for cell, partner in moved.items():
        while partner in moved:  # a cell joined to a cell that itself joined a row
            partner = moved[partner]
        lines[partner] = lines[partner] + [replace(w, line_key=partner) for w in lines[cell]]
    return [replace(w, word_num=i) for key, ws in lines.items() if key not in moved
            for i, w in enumerate(sorted(ws, key=lambda w: w.left), 1)]


def drop_specks(words: Sequence[TsvWord]) -> list[TsvWord]:
    """Leave out letters far smaller than the print around them (a speck of dust read as "i").

    They can glue a table cell to the wrong line. Punctuation ("·", "-") is kept: it is small by
    nature and separates list items.
    """
    heights = sorted(w.height for w in words if any(ch.isalnum() for ch in w.text))
    if not heights:
        return list(words)
    limit = SPECK_SIZE * heights[len(heights) // 2]
    return [w for w in words
            if max(w.width, w.height) >= limit or len(w.text) > 2 or not any(ch.isalnum() for ch in w.text)]


def join_row_cells(words: Sequence[TsvWord]) -> list[TsvWord]:
    """Put a lone right-hand table cell ("35 mg") back on the line of its row name ("Tributyrine").

    Tesseract sometimes ends a block with an amount whose row name it put in the next block. A
    short line holding a digit that ends near the right edge of the text, with a line of other
    words ending left of it on the same row, joins that line.
    """
    lines = group_lines(words)
    if len(lines) < 2:
        return list(words)
    slope = page_slope(lines)
    right_edge = max(w.left + w.width for w in words)
    left_edge = min(w.left for w in words)
    moved: dict[LineKey, LineKey] = {}
    for key, cell in lines.items():
        start, end = min(w.left for w in cell), max(w.left + w.width for w in cell)
        if (len(cell) > MAX_ORPHAN_CELL_WORDS or not any(ch.isdigit() for w in cell for ch in w.text)
                or end < right_edge - RIGHT_ALIGNED * (right_edge - left_edge)):
            continue
        partner = _row_partner(lines, key, start, slope)
        if partner is not None and partner not in moved:
            moved[key] = partner
    if not moved:
        return list(words)
    for cell, partner in moved.items():
        lines[partner] = lines[partner] + [replace(w, line_key=partner) for w in lines[cell]]
    return [replace(w, word_num=i) for key, ws in lines.items() if key not in moved
            for i, w in enumerate(sorted(ws, key=lambda w: w.left), 1)]


def _row_partner(lines: dict[LineKey, list[TsvWord]], key: LineKey, start: int,
                 slope: float) -> LineKey | None:
    """The nearest line that ends left of `start` on the same row as line `key` (none: None)."""
    cell = lines[key]
    best: tuple[int, LineKey] | None = None
    for other, ws in lines.items():
        right = max(w.left + w.width for w in ws)
        if other == key or right > start or not _same_row(cell, ws, slope):
            continue
        if best is None or right > best[0]:
            best = (right, other)
    return None if best is None else best[1]


def join_split_words(words: Sequence[TsvWord]) -> list[TsvWord]:
    """Undo spaces Tesseract puts inside a word where two letters nearly touch ("maalti jd", "bi j").

    Real spaces are about a quarter of the line height wide; these gaps are a few pixels.
    """
    out: list[TsvWord] = []
    for ws in group_lines(words).values():
        line: list[TsvWord] = []
        for w in ws:
            prev = line[-1] if line else None
            if prev is not None and _split_apart(prev, w):
                line[-1] = _joined(prev, w)
            else:
                line.append(w)
        out.extend(line)
    return out


def _split_apart(a: TsvWord, b: TsvWord) -> bool:
    gap = b.left - (a.left + a.width)
    # both sides lower-case letters: Tesseract's boxes round digits and capitals too loosely to judge
    return (a.text[-1].islower() and b.text[0].islower()
            and -0.05 * b.height <= gap < MAX_SPLIT_WORD_GAP * max(a.height, b.height))


def _joined(a: TsvWord, b: TsvWord) -> TsvWord:
    left, top = min(a.left, b.left), min(a.top, b.top)
    right, bottom = max(a.left + a.width, b.left + b.width), max(a.bottom, b.bottom)
    return replace(a, text=a.text + b.text, confidence=min(a.confidence, b.confidence), left=left, top=top,
                   width=right - left, height=bottom - top)


def reading_order(words: Sequence[TsvWord]) -> list[TsvWord]:
    """Reorder Tesseract's blocks so that of two blocks in the same column the upper one comes first.

    On slightly skewed scans Tesseract may take the left edge of short lines for a column border and
    read a whole column of headings before the paragraphs beside them. Blocks that share no column
    (real side-by-side columns) keep Tesseract's order.
    """
    lines = group_lines(words)
    blocks: dict[tuple[int, int], list[TsvWord]] = {}
    for key, ws in lines.items():
        blocks.setdefault(key[:2], []).extend(ws)
    keys = list(blocks)
    boxes = {k: _box(blocks[k]) for k in keys}
    slope = page_slope(lines)
    before: dict[tuple[int, int], set[tuple[int, int]]] = {k: set() for k in keys}
    for a in keys:
        for b in keys:
            if a != b and _same_column(boxes[a], boxes[b]) and _above(boxes[a], boxes[b], slope):
                before[b].add(a)
    ordered: list[tuple[int, int]] = []
    ready = [(i, k) for i, k in enumerate(keys) if not before[k]]
    heapq.heapify(ready)
    position = {k: i for i, k in enumerate(keys)}
    while ready:
        _, key = heapq.heappop(ready)
        ordered.append(key)
        for other in keys:
            if key in before[other]:
                before[other].discard(key)
                if not before[other]:
                    heapq.heappush(ready, (position[other], other))
    return [w for key in ordered for w in blocks[key]]


def _box(words: Sequence[TsvWord]) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of some words."""
    return (min(w.left for w in words), min(w.top for w in words),
            max(w.left + w.width for w in words), max(w.bottom for w in words))


def _same_column(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    overlap = min(a[2], b[2]) - max(a[0], b[0])
    return overlap > 0.3 * min(a[2] - a[0], b[2] - b[0])


def _above(a: tuple[int, int, int, int], b: tuple[int, int, int, int], slope: float = 0.0) -> bool:
    """Whether a's middle is above b's, measured at the same x on a skewed page."""
    shift = slope * ((a[0] + a[2]) - (b[0] + b[2])) / 2
    return (a[1] + a[3]) / 2 < (b[1] + b[3]) / 2 + shift


def _ragged_start(lines: Sequence[Sequence[TsvWord]]) -> bool:
    """Whether lines start at scattered places (the cut-off rest of lines) rather than in a column."""
    if len(lines) < 2:
        return False
    starts = [min(w.left for w in ws) for ws in lines]
    heights = sorted(w.height for ws in lines for w in ws)
    return max(starts) - min(starts) > RAGGED_START * heights[len(heights) // 2]


def _is_table_column(lines: Sequence[Sequence[TsvWord]]) -> bool:
    counts = sorted(len(ws) for ws in lines)
    return counts[-1] <= MAX_CELL_WORDS and counts[len(counts) // 2] <= MEDIAN_CELL_WORDS


def _continues(left: Sequence[TsvWord], right: Sequence[TsvWord]) -> bool:
    """Whether `right` goes on `left`'s line after a gap no wider than a few letters (a split line)."""
    gap = min(w.left for w in right) - max(w.left + w.width for w in left)
    height = max(w.height for w in right)
    return gap <= MAX_SPLIT_GAP * height


def _left_partner(lines: dict[LineKey, list[TsvWord]], key: LineKey, block: tuple[int, int],
                  slope: float) -> LineKey | None:
    """The nearest line of another block that ends left of line `key` on the same row."""
    cell = lines[key]
    left = min(w.left for w in cell)
    best: tuple[int, LineKey] | None = None
    for other, ws in lines.items():
        right = max(w.left + w.width for w in ws)
        if other[:2] == block or right > left or not _same_row(cell, ws, slope):
            continue
        if best is None or right > best[0]:
            best = (right, other)
    return None if best is None else best[1]


def split_rows(words: Sequence[TsvWord]) -> float:
    """Share of lines that share their row with another line once table cells are joined.

    Prose cut in two by a glare spot or a fold comes back as two blocks of half-lines side by side;
    a pass that read the same text as whole lines (psm 6) is the better base then.
    """
    lines = group_lines(join_table_rows(words))
    if len(lines) < 2:
        return 0.0
    slope = page_slope(lines)
    keys = list(lines)
    shared = sum(1 for k in keys if any(o != k and _same_row(lines[k], lines[o], slope) for o in keys))
    return shared / len(keys)


def quality(words: Sequence[TsvWord]) -> float:
    """How much readable language a pass holds: mean confidence x number of word-like words."""
    scored = [w for w in words if w.confidence >= 0]
    if not scored:
        return 0.0
    wordlike = sum(1 for w in scored if _is_wordlike(w.text))
    return sum(w.confidence for w in scored) / len(scored) / 100.0 * wordlike


def _is_wordlike(text: str) -> bool:
    core = text.strip(_PUNCT_EDGES)
    return bool(_WORDLIKE.match(core) and _VOWEL.search(core))


def missed_glyphs(glyph_centres: Sequence[tuple[int, int]], boxes: Sequence[tuple[int, int, int, int]],
                  text_height: float | None) -> tuple[int, float]:
    """(grouped count, share) of letter-like ink blobs that lie in no word box.

    The count only includes blobs with another unread blob close beside them on the same row, so a
    lone speck of dirt does not count but an unread "600 mg" does.
    """
    if not glyph_centres:
        return 0, 0.0
    unread = unread_points(glyph_centres, boxes)
    grouped = len(grouped_points(unread, 2.0 * (text_height or 10.0), 0.5 * (text_height or 10.0)))
    return grouped, float(len(unread) / len(glyph_centres))


def unread_points(glyph_centres: Sequence[tuple[int, int]], boxes: Sequence[tuple[int, int, int, int]]
                  ) -> np.ndarray:
    """The blob centres (an n x 2 array) that lie in no word box."""
    pts = np.asarray(glyph_centres, dtype=np.float64).reshape(-1, 2)
    return pts[~in_boxes(pts, boxes)]


def in_boxes(pts: np.ndarray, boxes: Sequence[tuple[int, int, int, int]]) -> np.ndarray:
    """Which points (n x 2) lie in a word box (x, y, w, h), padded a little."""
    inside = np.zeros(len(pts), dtype=bool)
    if boxes:
        b = np.asarray(boxes, dtype=np.float64)
        pad = np.maximum(2.0, b[:, 3:4] * 0.25)  # blobs on a word's edge (accents, commas) count as read
        x0, y0 = b[:, 0:1] - pad, b[:, 1:2] - pad
        x1, y1 = b[:, 0:1] + b[:, 2:3] + pad, b[:, 1:2] + b[:, 3:4] + pad
        for start in range(0, len(b), 256):  # chunks keep the boolean matrix small
            sl = slice(start, start + 256)
            inside |= ((pts[:, 0] >= x0[sl]) & (pts[:, 0] <= x1[sl])
                       & (pts[:, 1] >= y0[sl]) & (pts[:, 1] <= y1[sl])).any(axis=0)
    return inside


def grouped_points(points: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """The points with another point within dx across and dy up or down (a lone speck is left out)."""
    if len(points) < 2:
        return points[:0]
    near = ((np.abs(points[:, None, 0] - points[None, :, 0]) <= dx)
            & (np.abs(points[:, None, 1] - points[None, :, 1]) <= dy))
    return points[(near.sum(axis=1) - 1) > 0]


def join_paragraphs(words: Sequence[TsvWord]) -> list[TsvWord]:
    """Keep a sentence in one paragraph when Tesseract starts a new block or paragraph in its middle.

    A paragraph that starts with a lower-case word right under, or on the same row right of, a line
    that ends without closing punctuation continues that line's paragraph ("... à base de" /
    "butyrate de magnésium et").
    """
    lines = group_lines(words)
    slope = page_slope(lines)
    out: list[TsvWord] = []
    previous: list[TsvWord] | None = None
    moved_to: dict[tuple[int, int, int], tuple[int, int, int]] = {}  # paragraph -> the one it continues
    for key, ws in lines.items():
        par = key[:3]
        if par not in moved_to and previous is not None and par != previous[0].line_key[:3] \
                and _continues_sentence(previous, ws, slope):
            moved_to[par] = previous[0].line_key[:3]
        if par in moved_to:  # a fresh line number, unique within the paragraph it joins
            ws = [replace(w, line_key=(*moved_to[par], 10_000 + len(out))) for w in ws]
        out.extend(ws)
        previous = ws
    return out


def _continues_sentence(above: Sequence[TsvWord], below: Sequence[TsvWord], slope: float) -> bool:
    last, first = above[-1].text, below[0].text
    if last.endswith(_SENTENCE_END) or not first[:1].islower():
        return False
    a, b = _box(above), _box(below)
    height = max(w.height for w in below)
    # boxes of slightly skewed lines overlap, so the gap may be a little negative
    under = (-0.5 * height <= b[1] - a[3] <= MAX_PARAGRAPH_GAP * height and _above(a, b, slope)
             and _same_column(a, b))
    beside = b[0] >= a[2] and _same_row(above, below, slope) and _continues(above, below)
    return under or beside
