"""Which preparations and Tesseract passes read a photo, and how their words are merged."""
from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from checker.errors import OcrError, OcrTimeoutError
from checker.imaging import TARGET_TEXT_HEIGHT, LoadedImage, PreparedImage, candidates
from checker.models import OcrResult
from checker.ocr import cells as ocr_cells
from checker.ocr.engine import (
    DEFAULT_LANGUAGES,
    GLOBAL_THRESHOLD,
    LOCAL_THRESHOLD,
    check_languages,
    run_tsv,
    tesseract_version,
)
from checker.ocr.language import label_languages
from checker.ocr.layout import (
    TsvWord,
    drop_specks,
    join_paragraphs,
    join_row_cells,
    join_split_words,
    join_table_rows,
    merge_words,
    missed_glyphs,
    quality,
    reading_order,
    replace_weak,
    split_rows,
)
from checker.ocr.quality import Assessment, assess
from checker.ocr.tsv import ParsedTsv, build_text, tsv_words

FIRST_PSM = 3  # full automatic page segmentation: keeps columns and table cells apart
# One uniform block: Tesseract's page layout (psm 3) sometimes drops whole paragraphs of slightly
# skewed or boxed text as "image"; psm 6 reads them.
SECOND_PSM = 6
# when is a pass "clearly weak" and worth another
WEAK_CONFIDENCE = 70.0
MIN_WORDS = 8
MAX_MISSED_SHARE = 0.12  # of letter-like ink blobs outside every word box
MAX_MISSED_GLYPHS = 4  # unread blobs in groups ("600 mg" beside a table rule is 5)
MIN_SECONDS_FOR_PASS = 2.0
SECOND_PASS_MARGIN = 1.05  # the second pass leads the layout only when clearly better
MAX_SPLIT_ROWS = 0.2  # of the lines sharing their row with another: prose cut into half-lines
MAX_MISSED_WORD_BLOBS = 1  # in a photo's view two unread blobs side by side ("500" "mg") are a missed phrase
WORD_BLOB_SPACING = 1.5  # x the text height: how far apart unread word blobs of one phrase may lie
# a photo read with less mean confidence than this has faint parts (glare, shade): its relit view helps
RELIGHT_BELOW_CONFIDENCE = 93.0
MAX_PREPARATIONS = 3  # full psm-3 passes over different preparations (the psm-6 pass comes on top)
# a reading with fewer known words than this, or a smaller share of them, is noise (upside down,
# the wrong crop): the rescue preparations are tried
NOISE_SHARE = 0.2
NOISE_WORDS = 5
# a reading that is good but left text unread (a table's right-aligned amounts) gets a sparse-text pass
# over the view with the words it read painted out, instead of a second full pass
SPARSE_PSM = 11
MASK_PAD = 0.25  # x the word height, around each word painted out
SETTLED_CONFIDENCE = 90.0  # words read at least this sure are painted out; the rest are read again
# right-hand table cells read again (ocr_cells): one uniform block per strip, amounts need no dictionary
CELL_PSM = 6
CELL_LANGUAGE = "eng"

# ---------------------------------------------------------------- choosing passes
@dataclass(frozen=True)
class _Pass:
    """One Tesseract run over one preparation."""

    prepared: PreparedImage
    psm: int
    words: list[TsvWord]
    seconds: float

    @property
    def name(self) -> str:
        return f"{self.prepared.name}/psm{self.psm}"

    @functools.cached_property
    def assessment(self) -> Assessment:
        return assess(self.words)


def _run_pass(prepared: PreparedImage, psm: int, languages: str, timeout: float,
              threshold: int = GLOBAL_THRESHOLD) -> _Pass:
    if timeout <= 0:  # pytesseract would take 0 or less as "no limit"
        raise OcrTimeoutError("no time was left for OCR")
    started = time.perf_counter()
    tsv = run_tsv(prepared.image, languages, timeout, psm, threshold)
    return _Pass(prepared, psm, tsv_words(tsv), time.perf_counter() - started)


def good_enough(p: _Pass) -> bool:
    """False when a pass read too few words, too unsure, or left visible text unread."""
    parsed = _build(p.words, p.prepared)
    grouped, share = missed_glyphs(p.prepared.glyph_centres, [w.bbox for w in parsed.words],
                                   p.prepared.text_height)
    return (len(parsed.words) >= MIN_WORDS and parsed.mean_confidence >= WEAK_CONFIDENCE
            and grouped <= MAX_MISSED_GLYPHS and share <= MAX_MISSED_SHARE)


def _reads_well(p: _Pass) -> bool:
    """Whether to stop trying preparations. A plain print must also have left no visible text
    unread (good_enough); a straightened photo must read as a label (confident, known words)."""
    if p.prepared.mapping is None:
        return good_enough(p)
    return p.assessment.good


def _complete(words: Sequence[TsvWord], prepared: PreparedImage) -> bool:
    """Whether a reading left no text unread, so that no second, differently segmented pass is needed.

    For a straightened photo only the letters within the area of the words read count (measured in
    the prepared image): the photo's background and the label's edges hold letter-like specks.
    """
    if prepared.mapping is None:
        return good_enough(_Pass(prepared, FIRST_PSM, list(words), 0.0))
    if not words or not prepared.view_glyphs:
        return bool(words)
    left = min(w.left for w in words)
    right = max(w.left + w.width for w in words)
    top, bottom = min(w.top for w in words), max(w.bottom for w in words)
    pad = 0.1 * (right - left)
    inside = [(x, y) for x, y in prepared.view_glyphs
              if left - pad <= x <= right + pad and top <= y <= bottom]
    # blobs here are words as often as letters: neighbours lie further apart than letters do
    grouped, share = missed_glyphs(inside, [(w.left, w.top, w.width, w.height) for w in words],
                                   WORD_BLOB_SPACING * TARGET_TEXT_HEIGHT)
    return grouped <= MAX_MISSED_WORD_BLOBS and share <= MAX_MISSED_SHARE


def _better(a: _Pass, b: _Pass | None) -> bool:
    """Whether pass a read more of the label than pass b (confidence x known words, then quality)."""
    if b is None:
        return True
    sa, sb = a.assessment.score, b.assessment.score
    if sa != sb:
        return sa > sb
    return quality(a.words) > quality(b.words)


def _is_blank(p: _Pass) -> bool:
    return not p.words and p.prepared.text_height is None


def _faint(p: _Pass) -> bool:
    """Whether parts of the reading are faint (glare, shade): mean confidence under the relight bar."""
    return p.assessment.mean_confidence < RELIGHT_BELOW_CONFIDENCE


def _reads_as_noise(p: _Pass) -> bool:
    return p.assessment.known_share < NOISE_SHARE or p.assessment.known < NOISE_WORDS


def ocr_image(loaded: LoadedImage, *, languages: str = DEFAULT_LANGUAGES, timeout: float = 60,
              while_reading: Callable[[], None] | None = None) -> OcrResult:
    """Read the image: prepare it the best way found, then fill in what the first reading missed.

    A flat print is read as it is; a photo is straightened first, and a reading that is noise is
    retried on the view turned over, relit, and on the plain preparation. A good reading that left
    text unread (a table's right-aligned amounts) gets one sparse-text pass over the same view with
    the words it read confidently painted out, relit when the reading was faint; a faint one first gets
    the view read with a local threshold merged in. A weak reading, or one whose lines a glare spot cut
    in two, gets whole passes merged in: the relit view, then psm 6, in the label's own language(s)
    told from the first reading. `timeout` bounds the whole call. Only a timeout of the first pass
    is an error; a later pass that runs out of time is dropped. `while_reading` is called once, just
    before the first Tesseract run: work to start in the background while this thread only waits for
    Tesseract.
    """
    check_languages(languages)
    started = time.perf_counter()

    def left() -> float:
        return timeout - (time.perf_counter() - started)

    best, tried = _choose(loaded, languages, timeout, left, while_reading)
    words = best.words
    good = _reads_well(best)
    more = not _is_blank(best) and not (good and _complete(best.words, best.prepared))
    if more and good and split_rows(best.words) < MAX_SPLIT_ROWS:
        words = _touch_up(best, languages, left, tried)
    elif more:
        # the first reading tells the label's language: the whole passes that follow read in it alone,
        # in half the time of four languages
        narrowed = label_languages(" ".join(w.text for w in best.words), languages)
        later: list[str] = []
        words = _fill_in(best, good, narrowed, left, later)
        tried += [f"{name}/{narrowed}" if narrowed != languages else name for name in later]
    if best.prepared.mapping is not None and not _is_blank(best):  # a photo's view, not a flat print
        words = _reread_cells(best.prepared, words, left, tried)
    words = join_row_cells(join_table_rows(join_split_words(drop_specks(words))))
    words = join_paragraphs(reading_order(words))
    parsed = _build(words, best.prepared)
    return OcrResult(text=parsed.text, words=parsed.words, mean_confidence=parsed.mean_confidence,
                     languages=languages, engine=tesseract_version(),
                     seconds=round(time.perf_counter() - started, 3), passes=tuple(tried), lines=parsed.lines)


def _choose(loaded: LoadedImage, languages: str, timeout: float, left: Callable[[], float],
            while_reading: Callable[[], None] | None = None) -> tuple[_Pass, list[str]]:
    """Read the candidate preparations in order until one reads well; the best pass and all names.

    Rescue candidates (the view turned over, the plain preparation) are read only while the best
    reading so far is noise.
    """
    best: _Pass | None = None
    tried: list[str] = []
    for preparation in candidates(loaded.image):
        if best is not None:
            if _reads_well(best) or left() < _needed(best) or len(tried) >= MAX_PREPARATIONS:
                break
            if getattr(preparation, "rescue", False) and not _reads_as_noise(best):
                continue
        try:
            prepared = preparation(loaded.image)
            if best is None and while_reading is not None:
                while_reading()
            current = _run_pass(prepared, FIRST_PSM, languages, left())
        except OcrTimeoutError as e:
            if best is None:
                raise OcrTimeoutError(f"OCR took longer than {timeout:g} s and was stopped; try a "
                                      "smaller or sharper photo") from e
            break
        tried.append(current.name)
        if _better(current, best):
            best = current
    if best is None:
        raise OcrError("no image preparation was configured")
    return best, tried


def _touch_up(best: _Pass, languages: str, left: Callable[[], float], tried: list[str]) -> list[TsvWord]:
    """A good reading that left text unread, with one sparse-text pass over the rest of the view merged
    in: the words it read with confidence painted out, the light evened out when it was faint.

    A faint reading (glare, shade) first gets the same view read again with Tesseract's local
    threshold: a paragraph or table row under a glare spot, which the global threshold turned white
    and page segmentation then dropped whole, reads there.
    """
    faint = _faint(best)
    words = best.words
    if faint and left() >= _needed(best):
        try:
            local = _run_pass(replace(best.prepared, name=f"{best.prepared.name}-local"), FIRST_PSM,
                              languages, left(), LOCAL_THRESHOLD)
        except OcrTimeoutError:
            return words
        tried.append(local.name)
        words = _merge_by_score(words, local.words)
    view = best.prepared.relight if faint and best.prepared.relight is not None else None
    try:
        rest = _read_the_rest(view() if view else best.prepared, words, languages, left, tried)
    except OcrTimeoutError:
        return words
    return replace_weak(words, rest)


def _fill_in(best: _Pass, good: bool, languages: str, left: Callable[[], float], tried: list[str]
             ) -> list[TsvWord]:
    """A weak reading (`good`: it reads well, as ocr_image found) with whole passes over the same view
    merged in: the view with its light evened out (print faded by glare or shade reads there; same
    geometry, so the words line up), then psm 6 (it reads right-aligned table cells that page
    segmentation dropped, and lines across a glare spot whole)."""
    words = best.words
    relight = best.prepared.relight
    weak = not good or _faint(best)
    if relight is not None and weak and not _reads_as_noise(best) and left() >= _needed(best):
        try:
            lit = _run_pass(relight(), FIRST_PSM, languages, left())
            tried.append(lit.name)
            words = _merge_by_score(words, lit.words)
        except OcrTimeoutError:
            return words
    if left() >= _needed(best):
        try:
            second = _run_pass(best.prepared, SECOND_PSM, languages, left())
            tried.append(second.name)
            words = _combine(words, second.words)
        except OcrTimeoutError:
            pass
    return words


def _read_the_rest(prepared: PreparedImage, words: Sequence[TsvWord], languages: str,
                   left: Callable[[], float], tried: list[str]) -> list[TsvWord]:
    """The words of a sparse-text pass over the view with every word read with confidence painted out.

    What page segmentation dropped (a table's right-aligned amounts beside its rules, a stray line) and
    the words read unsure are all that is left to recognise, so the pass costs a fraction of a full one.
    """
    pixels = np.array(prepared.image.convert("L"))
    for w in words:
        if w.confidence >= SETTLED_CONFIDENCE:
            pad = max(2, round(MASK_PAD * w.height))
            pixels[max(0, w.top - pad):w.bottom + pad, max(0, w.left - pad):w.left + w.width + pad] = 255
    rest = _run_pass(replace(prepared, image=Image.fromarray(pixels), name=f"{prepared.name}-rest"),
                     SPARSE_PSM, languages, left())
    tried.append(rest.name)
    return rest.words


def _reread_cells(prepared: PreparedImage, words: list[TsvWord], left: Callable[[], float],
                  tried: list[str]) -> list[TsvWord]:
    """The words with the right-hand table cells the passes missed or misread read again, cut out and
    stretched several ways in one sheet; an amount most of the variants agree on is put in."""
    cells = ocr_cells.find_cells(words, np.asarray(prepared.view_blobs))
    if not cells or left() < MIN_SECONDS_FOR_PASS:
        return words
    sheet = ocr_cells.build_sheet(np.asarray(prepared.image.convert("L")), cells)
    try:
        read = tsv_words(run_tsv(sheet.image, CELL_LANGUAGE, left(), CELL_PSM))
    except OcrTimeoutError:
        return words
    tried.append(f"{prepared.name}-cells/psm{CELL_PSM}")
    return ocr_cells.apply(words, cells, ocr_cells.vote(cells, sheet, read))


def _merge_by_score(first: list[TsvWord], second: list[TsvWord]) -> list[TsvWord]:
    """The reading with more known words read with confidence sets the layout; the other fills in."""
    if assess(second).score > SECOND_PASS_MARGIN * assess(first).score:
        return merge_words(second, first)
    return merge_words(first, second)


def _build(words: Sequence[TsvWord], prepared: PreparedImage) -> ParsedTsv:
    return build_text(words, scale=prepared.scale, mapping=prepared.mapping, input_size=prepared.input_size)


def _needed(p: _Pass) -> float:
    return max(MIN_SECONDS_FOR_PASS, 1.5 * p.seconds)


def _combine(first: list[TsvWord], second: list[TsvWord]) -> list[TsvWord]:
    """The better pass sets the layout; the other one fills in what it missed.

    Better: clearly more readable words, or far fewer lines cut in two (glare splitting prose into
    side-by-side half-lines, which the psm-6 pass reads whole).
    """
    split = split_rows(first)
    if split >= MAX_SPLIT_ROWS and split_rows(second) <= split / 2:
        return merge_words(second, first)
    if quality(second) > SECOND_PASS_MARGIN * quality(first):
        return merge_words(second, first)
    return merge_words(first, second)

