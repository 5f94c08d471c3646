"""Re-read the right-hand table cells page segmentation missed or misread: crops, variants, a vote."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from checker.ocr.layout import TsvWord, group_lines, in_boxes, merge_words

MAX_CELLS = 8  # cells re-read per image (one Tesseract run reads them all)
MIN_GAP = 2.0  # x the text height: a cell stands this far right of the words before it on its line
MAX_CELL_CHARS = 7  # a misread amount is short ("Bm" for "25 mg", "som" for "500 mg")
SURE = 85.0  # a cell read at least this sure is left alone
CELL_WIDTH = 8.0  # x the text height: an unread group wider than this is a line of prose, not a cell
MIN_CELL_HEIGHT = 0.5  # x the text height: lower ink is a rule's stub or dots
MAX_CELL_HEIGHT = 1.8  # x the text height: taller ink is a logo, a blot or two lines
NEIGHBOUR = 1.5  # x the text height: unread blobs this close beside each other belong to one cell
ROW_PAD = 0.35  # x the text height, above and below a cell's box
SIDE_PAD = 0.8  # x the text height, left and right
STRIP_TEXT_HEIGHT = 60  # px: cells are scaled so their words (ascenders to descenders) are this tall
STRIP_GAP = 24  # px of white between the strips of the sheet
# the print at a bottle's edge is squeezed sideways by the curve: read each cell stretched by these
STRETCHES = (1.0, 1.3, 1.6)
DARK_SHARE = 0.35  # threshold: this far from the darkest (3rd percentile) to the paper (90th)
MIN_VOTES = 3  # of the len(STRETCHES) * 2 readings, this many must give the same amount
_AMOUNT = re.compile(r"^([0-9SOoIl|B$]{1,5}(?:[.,][0-9SOo]{1,3})?)\s?(mg|g|µg|mcg|ug)$")
_DIGITS = str.maketrans("SOoIl|B$", "50011185")
_CELL_HINT = re.compile(r"\d|m$|mg$|g$")
_MARKS = ".,;:'\"“”‘’«»~_-—()[]"  # read around a cell from the rules and specks beside it


@dataclass(frozen=True)
class Cell:
    """A box of the view to read again, and the words of the first reading it replaces."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in view px
    height: float  # text height in view px
    replaces: tuple[TsvWord, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """The variants of every cell stacked in one image: strip i spans rows[i], of cells[owner[i]]."""

    image: Image.Image
    rows: tuple[tuple[int, int], ...]
    owner: tuple[int, ...]


def find_cells(words: Sequence[TsvWord], blobs: np.ndarray) -> list[Cell]:
    """Right-hand cells worth a second look: a short unsure word standing apart at the end of its line
    that looks like a broken amount, and groups of ink on a row that no word covers (`blobs`: the view's
    letter- and word-like ink, boxes x, y, w, h as PreparedImage.view_blobs)."""
    if not words:
        return []
    height = float(np.median([w.height for w in words]))
    left = min(w.left for w in words)
    right = max(w.left + w.width for w in words)
    middle = left + (right - left) / 2
    cells: list[Cell] = []
    for ws in group_lines(words).values():
        last = ws[-1]
        text = last.text.strip(_MARKS)
        gap = last.left - (ws[-2].left + ws[-2].width) if len(ws) > 1 else right
        if (gap >= MIN_GAP * height and last.left > middle and len(text) <= MAX_CELL_CHARS
                and last.confidence < SURE and _CELL_HINT.search(text) and not _AMOUNT.match(text)):
            cells.append(Cell((last.left, last.top, last.left + last.width, last.top + last.height),
                              height, (last,)))
    blobs = np.asarray(blobs, dtype=np.float64).reshape(-1, 4)
    # letter-sized ink in the right half of the text (a misread word's box may not cover all of its ink)
    blobs = blobs[(blobs[:, 0] > middle) & (blobs[:, 3] <= MAX_CELL_HEIGHT * height)]
    read = [(w.left, w.top, w.width, w.height) for w in words]
    cells += _unread_cells(blobs[~in_boxes(blobs[:, :2] + blobs[:, 2:] / 2, read)], height)
    cells.sort(key=lambda c: -c.box[2])  # nearest the right edge first
    return [_widened(c, blobs) for c in cells[:MAX_CELLS]]


def _unread_cells(blobs: np.ndarray, height: float) -> list[Cell]:
    """Rows of unread blobs close beside each other: two or more, about one line tall, cell-wide."""
    cells: list[Cell] = []
    used = np.zeros(len(blobs), dtype=bool)
    order = np.argsort(blobs[:, 0])
    for i in order:
        if used[i]:
            continue
        x0, y0, x1, y1 = blobs[i, 0], blobs[i, 1], blobs[i, 0] + blobs[i, 2], blobs[i, 1] + blobs[i, 3]
        used[i], members = True, 1
        for j in order:  # left to right, so a row grows one neighbour at a time
            bx, by, bw, bh = blobs[j]
            if (not used[j] and abs(by + bh / 2 - (y0 + y1) / 2) <= 0.5 * height
                    and x0 - NEIGHBOUR * height <= bx + bw and bx <= x1 + NEIGHBOUR * height):
                x0, y0, x1, y1 = min(x0, bx), min(y0, by), max(x1, bx + bw), max(y1, by + bh)
                used[j] = True
                members += 1
        if members >= 2 and MIN_CELL_HEIGHT * height <= y1 - y0 <= MAX_CELL_HEIGHT * height \
                and x1 - x0 <= CELL_WIDTH * height:
            cells.append(Cell((round(x0), round(y0), round(x1), round(y1)), height))
    return cells


def _widened(cell: Cell, blobs: np.ndarray) -> Cell:
    """The cell with the ink beside it on its row (the "mg" of a "500" misread as "som")."""
    x0, y0, x1, y1 = cell.box
    reach = NEIGHBOUR * cell.height
    for bx, by, bw, bh in blobs:
        if y0 - ROW_PAD * cell.height <= by + bh / 2 <= y1 + ROW_PAD * cell.height and x0 - reach <= bx + bw \
                and bx <= x1 + reach:
            x0, x1 = min(x0, round(bx)), max(x1, round(bx + bw))
    return replace(cell, box=(x0, y0, x1, y1))


def build_sheet(view: np.ndarray, cells: Sequence[Cell]) -> Sheet:
    """Each cell cut out with its row, scaled, stretched sideways and thresholded two ways, stacked."""
    strips: list[np.ndarray] = []
    owner: list[int] = []
    for i, cell in enumerate(cells):
        x0, y0, x1, y1 = cell.box
        pad_y, pad_x = ROW_PAD * cell.height, SIDE_PAD * cell.height
        crop = view[max(0, int(y0 - pad_y)):int(y1 + pad_y) + 1, max(0, int(x0 - pad_x)):int(x1 + pad_x) + 1]
        if crop.size == 0:
            continue
        factor = STRIP_TEXT_HEIGHT / max(1.0, cell.height)
        for stretch in STRETCHES:
            big = cv2.resize(crop, None, fx=factor * stretch, fy=factor, interpolation=cv2.INTER_CUBIC)
            for binary in (_dark_share(big), _local(big)):
                strips.append(_without_rules(binary))
                owner.append(i)
    if not strips:
        return Sheet(Image.new("L", (1, 1), 255), (), ())
    width = max(s.shape[1] for s in strips) + 2 * STRIP_GAP
    rows, parts, y = [], [], 0
    for s in strips:
        framed = np.full((s.shape[0] + STRIP_GAP, width), 255, dtype=np.uint8)
        framed[STRIP_GAP // 2:STRIP_GAP // 2 + s.shape[0], STRIP_GAP:STRIP_GAP + s.shape[1]] = s
        parts.append(framed)
        rows.append((y, y + framed.shape[0]))
        y += framed.shape[0]
    return Sheet(Image.fromarray(np.vstack(parts), "L"), tuple(rows), tuple(owner))


def _dark_share(gray: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(gray, 3), np.percentile(gray, 90)
    return np.where(gray < lo + DARK_SHARE * (hi - lo), 0, 255).astype(np.uint8)


def _local(gray: np.ndarray) -> np.ndarray:
    """A threshold that follows the light across the cell (the paper darkens towards the bottle's edge)."""
    block = (STRIP_TEXT_HEIGHT * 2) | 1
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 12)


def _without_rules(binary: np.ndarray) -> np.ndarray:
    """Table rules across the strip (long, thin ink) painted white: Tesseract reads them as letters."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(255 - binary, connectivity=8)
    out = binary.copy()
    for k in range(1, count):
        w, h = stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]
        if w >= 1.5 * STRIP_TEXT_HEIGHT and h <= 0.3 * STRIP_TEXT_HEIGHT:
            out[labels == k] = 255
    return out


def vote(cells: Sequence[Cell], sheet: Sheet, read: Sequence[TsvWord]) -> dict[int, tuple[str, str, float]]:
    """Cell index -> (number, unit, confidence) where enough variants read the same amount."""
    texts: dict[int, list[TsvWord]] = {}
    for w in read:
        middle = w.top + w.height / 2
        strip = next((i for i, (a, b) in enumerate(sheet.rows) if a <= middle < b), None)
        if strip is not None and any(ch.isalnum() for ch in w.text):  # not a rule's dash or a speck
            texts.setdefault(strip, []).append(w)
    readings: dict[int, list[tuple[tuple[str, str], float]]] = {}
    for strip, ws in texts.items():
        m = _AMOUNT.match("".join(w.text for w in sorted(ws, key=lambda w: w.left)).strip(_MARKS))
        if m and any(ch.isdigit() for ch in m.group(1)):  # "S00" is 500; "Som" is no number
            reading = (m.group(1).translate(_DIGITS), m.group(2))
            readings.setdefault(sheet.owner[strip], []).append((reading, min(w.confidence for w in ws)))
    out: dict[int, tuple[str, str, float]] = {}
    for cell, found in readings.items():
        counts = Counter(key for key, _ in found)
        (best, votes), *rest = counts.most_common()
        if votes >= MIN_VOTES and (not rest or rest[0][1] < votes):
            out[cell] = (*best, float(np.mean([c for key, c in found if key == best])))
    return out


def apply(words: Sequence[TsvWord], cells: Sequence[Cell], amounts: dict[int, tuple[str, str, float]]
          ) -> list[TsvWord]:
    """The words with each amount read again put in: in place of the words it replaces, else merged in."""
    if not amounts:
        return list(words)
    dropped = {id(w) for i in amounts for w in cells[i].replaces}
    kept = [w for w in words if id(w) not in dropped]
    added: list[TsvWord] = []
    for i, (number, unit, confidence) in amounts.items():
        cell = cells[i]
        x0, y0, x1, y1 = cell.box
        split = x0 + round((x1 - x0) * len(number) / (len(number) + 1 + len(unit)))
        key = cell.replaces[0].line_key if cell.replaces else (0, 0, 90_000 + i, 1)
        added += [TsvWord(number, confidence, x0, y0, max(1, split - x0), y1 - y0, key),
                  TsvWord(unit, confidence, split + 1, y0, max(1, x1 - split - 1), y1 - y0, key)]
    return merge_words(kept, added, min_confidence=0.0)
