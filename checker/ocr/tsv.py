"""Pure parsing of Tesseract's TSV output into text, words and lines (boxes in input pixels)."""
from __future__ import annotations

import csv
import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from checker.imaging.geometry import PointMap, box_to_input
from checker.models import OcrLine, OcrWord
from checker.ocr.layout import (
    LineKey,
    TsvWord,
    group_lines,
)

_TSV_COLUMNS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num",
                "left", "top", "width", "height", "conf", "text")
_WORD_LEVEL = 5


@dataclass(frozen=True)
class ParsedTsv:
    """Text, words and lines built from Tesseract's TSV (boxes in input-image pixels)."""

    text: str
    words: tuple[OcrWord, ...]
    lines: tuple[OcrLine, ...]
    mean_confidence: float


def _rows(tsv: str | Mapping[str, Sequence]) -> list[dict[str, str]]:
    if isinstance(tsv, Mapping):  # pytesseract's Output.DICT: columns of equal length
        n = len(tsv.get("level", ()))
        return [{col: str(tsv[col][i]) for col in _TSV_COLUMNS if col in tsv} for i in range(n)]
    lines = tsv.splitlines()
    if not lines:
        return []
    # QUOTE_NONE: Tesseract does not quote, and a word may be a lone '"'
    reader = csv.reader(lines[1:], delimiter="\t", quoting=csv.QUOTE_NONE)
    header = lines[0].split("\t")
    return [dict(zip(header, row, strict=False)) for row in reader if row]


def _int(value: str | None) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def _float(value: str | None) -> float:
    try:
        return float(value or -1)
    except ValueError:
        return -1.0


def tsv_words(tsv: str | Mapping[str, Sequence]) -> list[TsvWord]:
    """The non-blank word rows of a TSV (string or pytesseract DICT), in Tesseract's reading order."""
    words = []
    for row in _rows(tsv):
        text = unicodedata.normalize("NFC", (row.get("text") or "").strip())
        if _int(row.get("level")) != _WORD_LEVEL or not text:
            continue
        key = (_int(row.get("page_num")), _int(row.get("block_num")), _int(row.get("par_num")),
               _int(row.get("line_num")))
        words.append(TsvWord(text=text, confidence=_float(row.get("conf")), left=_int(row.get("left")),
                             top=_int(row.get("top")), width=_int(row.get("width")),
                             height=_int(row.get("height")), line_key=key,
                             word_num=_int(row.get("word_num"))))
    return words


def _scaled_box(w: TsvWord, scale: float, mapping: PointMap | None = None,
                input_size: tuple[int, int] | None = None) -> tuple[int, int, int, int]:
    """The word's box in input pixels, rounded outwards so it still encloses the word.

    With a mapping (a straightened preparation) the box's corners are mapped back to the input and
    their bounding rectangle taken, clipped to the input image.
    """
    if mapping is not None:
        return box_to_input((w.left, w.top, w.width, w.height), mapping, input_size or (1 << 30, 1 << 30))
    x, y = math.floor(w.left / scale + 1e-6), math.floor(w.top / scale + 1e-6)
    right, bottom = math.ceil((w.left + w.width) / scale - 1e-6), math.ceil(w.bottom / scale - 1e-6)
    return x, y, max(0, right - x), max(0, bottom - y)


def _union(boxes: Sequence[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 2) if values else 0.0


def build_text(words: Sequence[TsvWord], *, scale: float = 1.0, mapping: PointMap | None = None,
               input_size: tuple[int, int] | None = None) -> ParsedTsv:
    """Join words into text: one line per Tesseract line, a blank line between paragraphs and blocks.

    Each OcrWord records its offsets in that text; boxes are divided by `scale` (prepared px per input
    px), or mapped back through `mapping`, so they are in input-image pixels; confidences of -1 are
    kept but left out of every mean.
    """
    parts: list[str] = []
    out_words: list[OcrWord] = []
    out_lines: list[OcrLine] = []
    offset = 0
    previous: LineKey | None = None
    for key, line_words in group_lines(words).items():
        if previous is not None:
            sep = "\n" if key[:3] == previous[:3] else "\n\n"
            parts.append(sep)
            offset += len(sep)
        previous = key
        line_start = offset
        made: list[OcrWord] = []
        for i, w in enumerate(line_words):
            if i:
                parts.append(" ")
                offset += 1
            made.append(OcrWord(text=w.text, confidence=w.confidence,
                                bbox=_scaled_box(w, scale, mapping, input_size),
                                line=len(out_lines), start=offset, end=offset + len(w.text)))
            parts.append(w.text)
            offset += len(w.text)
        out_words.extend(made)
        out_lines.append(OcrLine(text=" ".join(w.text for w in made), start=line_start, end=offset,
                                 bbox=_union([w.bbox for w in made]),
                                 confidence=_mean([w.confidence for w in made if w.confidence >= 0]),
                                 block=key[1], paragraph=key[2]))
    return ParsedTsv(text="".join(parts), words=tuple(out_words), lines=tuple(out_lines),
                     mean_confidence=_mean([w.confidence for w in out_words if w.confidence >= 0]))


def parse_tsv(tsv: str | Mapping[str, Sequence], *, scale: float = 1.0) -> ParsedTsv:
    """Text, words (with offsets, boxes in input px, confidence) and lines from Tesseract's TSV output."""
    return build_text(tsv_words(tsv), scale=scale)

