"""What the report page draws, from a stored report: findings with explanations, boxes on the photo,
the label text cut into marked pieces, and short summaries for history and compare (no Flask here)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker import messages
from checker.textnorm import fold_keep_offsets

SEVERITY_ORDER = ("error", "warning", "info")
EVIDENCE_SEPARATOR = "; "  # rules join several pieces of evidence with it
MAX_MATCHES = 3  # places marked per piece of evidence (an E-number may be printed twice, not twenty times)
MIN_PIECE = 3  # characters: shorter evidence ("E1") would mark half the label
LINE_OVERLAP = 0.5  # two words whose heights overlap this much stand on one line


@dataclass(frozen=True)
class Word:
    """An OCR word with its box in input-image pixels and its place in the OCR text."""

    text: str
    bbox: tuple[int, int, int, int]
    start: int
    end: int
    line: int | None = None


@dataclass(frozen=True)
class Box:
    """A rectangle on the photo, input-image pixels."""

    x: int
    y: int
    w: int
    h: int


@dataclass
class FindingView:
    """One finding as the page shows it."""

    id: str  # "f1", "f2"...: ties the list item, its boxes and its marks together
    rule: str
    severity: str
    message: str
    message_lang: str
    evidence: str | None
    explanation: messages.Explanation | None
    boxes: list[Box] = field(default_factory=list)
    marked: bool = False  # its evidence is marked in the text


@dataclass(frozen=True)
class IngredientBox:
    box: Box
    kind: str
    label: str


@dataclass(frozen=True)
class Segment:
    """A piece of the label text; `findings` lists the ids whose evidence covers it."""

    text: str
    findings: tuple[str, ...] = ()


@dataclass
class ReportView:
    findings: list[FindingView]
    groups: list[tuple[str, list[FindingView]]]  # (severity, findings) in SEVERITY_ORDER, empty ones left out
    ingredient_boxes: list[IngredientBox]
    segments: list[Segment]
    text: str


# ---------------------------------------------------------------- reading the report
def label_text(report: dict[str, Any]) -> str:
    """The text the check read: the OCR text of a photo, or the typed/edited text of a text check."""
    ocr = report.get("ocr") or {}
    return str(ocr.get("text") or report.get("text") or "")


def ocr_words(report: dict[str, Any] | None) -> list[Word]:
    """The report's OCR words (`ocr.words` as dicts or as [text, bbox, start, end, line?] lists)."""
    raw = ((report or {}).get("ocr") or {}).get("words") or []
    words = []
    for item in raw:
        word = _word(item)
        if word is not None:
            words.append(word)
    return words


def _word(item: Any) -> Word | None:
    try:
        if isinstance(item, dict):
            text, bbox, start, end = item["text"], item["bbox"], item["start"], item["end"]
            line = item.get("line")
        else:
            text, bbox, start, end = item[:4]
            line = item[4] if len(item) > 4 else None
        x, y, w, h = (int(v) for v in bbox)
        return Word(str(text), (x, y, w, h), int(start), int(end), None if line is None else int(line))
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def photo_size(report: dict[str, Any] | None) -> tuple[int, int] | None:
    inp = (report or {}).get("input") or {}
    width, height = inp.get("width"), inp.get("height")
    if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
        return width, height
    return None


# ---------------------------------------------------------------- finding text on the label
def evidence_pieces(evidence: str | None) -> list[str]:
    """The separate quotes a rule gave as evidence."""
    if not evidence:
        return []
    return [p.strip() for p in evidence.split(EVIDENCE_SEPARATOR) if len(p.strip()) >= MIN_PIECE]


def locate(text: str, piece: str, *, limit: int = MAX_MATCHES) -> list[tuple[int, int]]:
    """Spans of `piece` in `text`, ignoring case, accents and how the words are spaced or broken."""
    tokens = fold_keep_offsets(piece).split()
    if not tokens:
        return []
    pattern = re.compile(r"\s+".join(re.escape(t) for t in tokens))
    return [m.span() for _, m in zip(range(limit), pattern.finditer(fold_keep_offsets(text)), strict=False)]


def boxes_for(words: Sequence[Word], spans: Iterable[tuple[int, int]]) -> list[Box]:
    """One box per printed line around the words that overlap the spans."""
    boxes: list[Box] = []
    for start, end in spans:
        hit = [w for w in words if w.start < end and w.end > start]
        boxes.extend(_union(line) for line in _lines(hit))
    return boxes


def _lines(words: list[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    for word in words:
        for line in lines:
            if _same_line(line[-1], word):
                line.append(word)
                break
        else:
            lines.append([word])
    return lines


def _same_line(a: Word, b: Word) -> bool:
    if a.line is not None and b.line is not None:
        return a.line == b.line
    top, bottom = max(a.bbox[1], b.bbox[1]), min(a.bbox[1] + a.bbox[3], b.bbox[1] + b.bbox[3])
    return bottom - top >= LINE_OVERLAP * min(a.bbox[3], b.bbox[3])


def _union(words: list[Word]) -> Box:
    x0 = min(w.bbox[0] for w in words)
    y0 = min(w.bbox[1] for w in words)
    x1 = max(w.bbox[0] + w.bbox[2] for w in words)
    y1 = max(w.bbox[1] + w.bbox[3] for w in words)
    return Box(x0, y0, x1 - x0, y1 - y0)


def _box(value: Any) -> Box | None:
    try:
        x, y, w, h = (int(v) for v in value)
    except (TypeError, ValueError):
        return None
    return Box(x, y, w, h) if w > 0 and h > 0 else None


# ---------------------------------------------------------------- the page
def build(report: dict[str, Any], lang: str, *, photo: dict[str, Any] | None = None) -> ReportView:
    """The report page's findings, boxes and marked text.

    `photo` is the report whose input image is shown (the report itself, or for a re-check of edited
    text the original photo's report); boxes are found in its OCR words, else taken from its own boxes.
    """
    photo = photo if photo is not None else report
    words = ocr_words(photo)
    photo_text = label_text(photo)
    text = label_text(report)
    known = _known_boxes(photo)
    findings = [_finding(i, f, lang) for i, f in enumerate(report.get("findings") or [], start=1)]
    for finding, raw in zip(findings, report.get("findings") or [], strict=True):
        finding.boxes = _finding_boxes(raw, finding, words, photo_text, known, photo is report)
    marks = {f.id: [s for p in evidence_pieces(f.evidence) for s in locate(text, p)] for f in findings}
    for finding in findings:
        finding.marked = bool(marks[finding.id])
    groups = [(sev, [f for f in findings if f.severity == sev]) for sev in SEVERITY_ORDER]
    return ReportView(findings=findings, groups=[(s, fs) for s, fs in groups if fs],
                      ingredient_boxes=_ingredient_boxes(report.get("ingredients") or [], words, photo_text,
                                                         known),
                      segments=segments(text, marks), text=text)


Known = dict[str, dict[str, list[Box]]]  # "ingredient" | "finding" -> folded text -> boxes


def _known_boxes(photo: dict[str, Any]) -> Known:
    """Boxes the photo's own report gives, by the folded text they surround."""
    known: Known = {"ingredient": {}, "finding": {}}
    for kind, items, key in (("ingredient", photo.get("ingredients"), "text"),
                             ("finding", photo.get("findings"), "evidence")):
        for item in items or []:
            box = _box(item.get("bbox"))
            if box and item.get(key):
                known[kind].setdefault(fold_keep_offsets(str(item[key])), []).append(box)
    return known


def _finding(index: int, raw: dict[str, Any], lang: str) -> FindingView:
    message, message_lang = messages.localise(raw, lang)
    rule = str(raw.get("rule") or "")
    return FindingView(id=f"f{index}", rule=rule, severity=str(raw.get("severity") or "info"),
                       message=message, message_lang=message_lang, evidence=raw.get("evidence"),
                       explanation=messages.explain(rule, lang))


def _finding_boxes(raw: dict[str, Any], finding: FindingView, words: list[Word], photo_text: str,
                   known: Known, own_photo: bool) -> list[Box]:
    """Per-line boxes around the evidence in the photo's OCR words; else the report's own bbox; else a box
    the photo's report drew around the same words (the ingredient the evidence quotes)."""
    pieces = evidence_pieces(finding.evidence)
    if words:
        boxes = boxes_for(words, [s for p in pieces for s in locate(photo_text, p)])
        if boxes:
            return boxes
    own = _box(raw.get("bbox")) if own_photo else None
    if own:
        return [own]
    keys = [fold_keep_offsets(str(finding.evidence or ""))] + [fold_keep_offsets(p) for p in pieces]
    for kind in ("finding", "ingredient"):
        boxes = next((known[kind][k] for k in keys if k in known[kind]), None)
        if boxes:
            return boxes
    return []


def _ingredient_boxes(ingredients: list[dict[str, Any]], words: list[Word], photo_text: str,
                      known: Known) -> list[IngredientBox]:
    out = []
    for ing in ingredients:
        printed = str(ing.get("text") or "")
        boxes = known["ingredient"].get(fold_keep_offsets(printed), [])
        if words and printed:  # per line, at the place the report's box points to
            placed = [boxes_for(words, [span]) for span in locate(photo_text, printed)]
            boxes = next((b for b in placed if not boxes or _overlaps(b, boxes)), boxes)
        label = str(ing.get("name") or printed)
        out.extend(IngredientBox(b, str(ing.get("kind") or "other"), label) for b in boxes)
    return out


def _overlaps(boxes: list[Box], others: list[Box]) -> bool:
    return any(a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h
               for a in boxes for b in others)


def segments(text: str, marks: dict[str, list[tuple[int, int]]]) -> list[Segment]:
    """`text` cut where marks begin or end; each piece lists the findings that mark it."""
    cuts = {0, len(text)}
    for spans in marks.values():
        for start, end in spans:
            cuts.update((start, end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    out = []
    for start, end in zip(points, points[1:], strict=False):
        if start == end:
            continue
        ids = tuple(fid for fid, spans in marks.items() if any(s <= start and end <= e for s, e in spans))
        out.append(Segment(text[start:end], ids))
    return out


# ---------------------------------------------------------------- summaries (history, compare)
def product_name(report: dict[str, Any]) -> str | None:
    product = report.get("product")
    name = product.get("name") if isinstance(product, dict) else product
    return str(name) if name else None


def barcode(report: dict[str, Any]) -> str | None:
    product = report.get("product")
    code = product.get("barcode") if isinstance(product, dict) else None
    return str(code) if code else None


def _total(values: Iterable[Any]) -> float | None:
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return round(sum(numbers), 1) if numbers else None


def summary(report: dict[str, Any], lang: str) -> dict[str, Any]:
    """The facts compared side by side: verdict, actives, daily butyric acid and sodium, additives..."""
    actives = report.get("actives") or []
    findings = [_finding(i, f, lang) for i, f in enumerate(report.get("findings") or [], start=1)]
    return {
        "id": report.get("id"),
        "name": product_name(report) or (report.get("input") or {}).get("filename"),
        "barcode": barcode(report),
        "created_at": report.get("created_at"),
        "verdict": report.get("verdict"),
        "actives": actives,
        "butyric_acid_mg_per_day": _total(a.get("butyric_acid_mg_per_day_max") for a in actives),
        "sodium_mg_per_day": _total(a.get("sodium_mg_per_day_max") for a in actives),
        "additives": [i for i in report.get("ingredients") or [] if i.get("kind") == "additive"],
        "allergens": list(report.get("allergens") or []),
        "traces": list(report.get("traces") or []),
        "findings": sorted(findings, key=lambda f: SEVERITY_ORDER.index(f.severity)
                           if f.severity in SEVERITY_ORDER else len(SEVERITY_ORDER)),
        "revision": report.get("revision"),
    }


def group_by_product(rows: list[dict[str, Any]]) -> list[tuple[str | None, list[dict[str, Any]]]]:
    """History rows grouped by barcode in order of their newest check; rows without one stand alone."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        key = f"gtin:{row['barcode']}" if row.get("barcode") else f"id:{row.get('id')}"
        groups.setdefault(key, []).append(row)
    return [(key.removeprefix("gtin:") if key.startswith("gtin:") else None, members)
            for key, members in groups.items()]


# ---------------------------------------------------------------- reference names in the page's language
def vocabulary(ref: Any, lang: str) -> dict[str, dict[str, str]]:
    """{"allergen": {id: name}, "function": {id: name}} in `lang` (English when it has no name)."""
    def name(names: Any, fallback: str) -> str:
        own = getattr(names, lang, ()) or getattr(names, "en", ())
        return own[0] if own else fallback

    return {"allergen": {a.id: name(a.names, a.id) for a in ref.allergens},
            "function": {f.id: name(f.names, f.id) for f in ref.function_classes}}
