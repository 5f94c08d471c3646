"""Step 2: run Tesseract (the only module that does) and turn its TSV into text, words and boxes."""
from __future__ import annotations

import csv
import functools
import math
import os
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

# Tesseract parallelises with OpenMP over all cores. On a small server running several OCR jobs at once
# that oversubscribes the CPUs and makes each job several times slower than one thread per process (the
# Tesseract FAQ recommends OMP_THREAD_LIMIT=1 when you parallelise yourself). pytesseract starts the
# binary with this process's environment, so setting it here covers every call; an explicit value set
# by the operator still wins.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import numpy as np  # noqa: E402
import pytesseract  # noqa: E402 - must see OMP_THREAD_LIMIT above
from PIL import Image  # noqa: E402

from checker import ocr_cells  # noqa: E402
from checker.errors import OcrError, OcrTimeoutError  # noqa: E402
from checker.geometry import PointMap, box_to_input  # noqa: E402
from checker.imaging import TARGET_TEXT_HEIGHT, LoadedImage, PreparedImage, candidates  # noqa: E402
from checker.models import OcrLine, OcrResult, OcrWord  # noqa: E402
from checker.ocr_language import label_languages  # noqa: E402
from checker.ocr_layout import (  # noqa: E402
    LineKey,
    TsvWord,
    drop_specks,
    group_lines,
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
from checker.ocr_quality import Assessment, assess  # noqa: E402

DEFAULT_LANGUAGES = "eng+nld+deu+fra"
INSTALL_ADVICE = ("install Tesseract with English, Dutch, German and French data: "
                  "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-nld tesseract-ocr-deu "
                  "tesseract-ocr-fra (Debian/Ubuntu) or brew install tesseract tesseract-lang (macOS)")
_LANGUAGE = re.compile(r"^[A-Za-z0-9_/-]+$")
_TSV_COLUMNS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num",
                "left", "top", "width", "height", "conf", "text")
_WORD_LEVEL = 5

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
# Tesseract's own binarisation (its thresholding_method): one global Otsu threshold suits even light;
# Sauvola's local threshold keeps print that glare or shade left faint, which a global one wipes out
GLOBAL_THRESHOLD = 0
LOCAL_THRESHOLD = 2
# right-hand table cells read again (ocr_cells): one uniform block per strip, amounts need no dictionary
CELL_PSM = 6
CELL_LANGUAGE = "eng"


# ---------------------------------------------------------------- pure TSV parsing
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


# ---------------------------------------------------------------- running Tesseract
@functools.lru_cache(maxsize=1)
def tesseract_version() -> str:
    """Engine name and version, e.g. "tesseract 5.3.0" (cached: the binary does not change under us)."""
    try:
        return f"tesseract {pytesseract.get_tesseract_version()}"
    except pytesseract.TesseractNotFoundError as e:
        raise OcrError(f"Tesseract is not installed or not on PATH; {INSTALL_ADVICE}") from e
    except (OSError, pytesseract.TesseractError) as e:
        raise OcrError(f"could not run Tesseract to get its version: {e}") from e


@functools.lru_cache(maxsize=1)
def available_languages() -> frozenset[str]:
    """Language packs Tesseract can load (cached)."""
    try:
        return frozenset(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError as e:
        raise OcrError(f"Tesseract is not installed or not on PATH; {INSTALL_ADVICE}") from e
    except (OSError, pytesseract.TesseractError) as e:
        raise OcrError(f"could not ask Tesseract for its languages: {e}") from e


def check_languages(languages: str) -> None:
    """Raise OcrError naming any requested language whose data is not installed.

    Needed because Tesseract given "eng+xyz" only warns on stderr and silently reads without xyz.
    """
    requested = [lang for lang in languages.split("+") if lang]
    bad = [lang for lang in requested if not _LANGUAGE.match(lang)]
    if not requested or bad:
        raise OcrError(f"invalid OCR language setting {languages!r}; use codes like eng+nld+deu+fra")
    missing = [lang for lang in requested if lang not in available_languages()]
    if missing:
        packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise OcrError(f"Tesseract language data missing for {', '.join(missing)}; install it "
                       f"(apt-get install {packages}, or brew install tesseract-lang) or change "
                       "CHECKER_OCR_LANGUAGES")


def _uncompressed(image: Image.Image) -> Image.Image:
    """The image marked to be handed to Tesseract as PNM: pytesseract writes PNG by default, whose
    compression costs a tenth of a second or more per pass; PNM is written at once, carries no DPI
    and Tesseract reads exactly the same pixels (same TSV)."""
    if image.mode not in ("L", "RGB", "1"):
        image = image.convert("RGB")
    marked = image.copy()
    marked.format = "PPM"
    return marked


def _run_tsv(image: Image.Image, languages: str, timeout: float, psm: int,
             threshold: int = GLOBAL_THRESHOLD) -> str:
    config = f"--psm {int(psm)}"
    if threshold != GLOBAL_THRESHOLD:
        config += f" -c thresholding_method={int(threshold)}"
    try:
        return pytesseract.image_to_data(_uncompressed(image), lang=languages, config=config,
                                         timeout=timeout, output_type=pytesseract.Output.STRING)
    except pytesseract.TesseractNotFoundError as e:
        raise OcrError(f"Tesseract is not installed or not on PATH; {INSTALL_ADVICE}") from e
    except RuntimeError as e:
        if "timeout" in str(e).lower():
            raise OcrTimeoutError(f"OCR took longer than {timeout:g} s and was stopped; try a smaller "
                                  "or sharper photo") from e
        raise OcrError(f"Tesseract failed: {e}") from e
    except (pytesseract.TesseractError, OSError, ValueError, TypeError) as e:
        raise OcrError(f"Tesseract failed: {e}") from e


def read_text(image: Image.Image, *, languages: str = DEFAULT_LANGUAGES, timeout: float = 60,
              psm: int = 3, scale: float = 1.0) -> OcrResult:
    """One Tesseract run over `image`; boxes in the result are divided by `scale`."""
    check_languages(languages)
    if timeout <= 0:  # pytesseract would take 0 or less as "no limit"
        raise OcrTimeoutError("no time was left for OCR")
    started = time.perf_counter()
    parsed = parse_tsv(_run_tsv(image, languages, timeout, psm), scale=scale)
    return OcrResult(text=parsed.text, words=parsed.words, mean_confidence=parsed.mean_confidence,
                     languages=languages, engine=tesseract_version(),
                     seconds=round(time.perf_counter() - started, 3), passes=(f"psm{psm}",),
                     lines=parsed.lines)


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
    tsv = _run_tsv(prepared.image, languages, timeout, psm, threshold)
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
        read = tsv_words(_run_tsv(sheet.image, CELL_LANGUAGE, left(), CELL_PSM))
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
