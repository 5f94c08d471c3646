"""The only module that runs Tesseract (through pytesseract): versions, languages, one TSV pass."""
from __future__ import annotations

import functools
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pytesseract
from PIL import Image

from checker.errors import OcrError, OcrTimeoutError
from checker.models import OcrResult
from checker.ocr.tsv import parse_tsv

DEFAULT_LANGUAGES = "eng+nld+deu+fra"
INSTALL_ADVICE = ("install Tesseract with English, Dutch, German and French data: "
                  "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-nld tesseract-ocr-deu "
                  "tesseract-ocr-fra (Debian/Ubuntu) or brew install tesseract tesseract-lang (macOS)")
_LANGUAGE = re.compile(r"^[A-Za-z0-9_/-]+$")
# Tesseract's own binarisation (its thresholding_method): one global Otsu threshold suits even light;
# Sauvola's local threshold keeps print that glare or shade left faint, which a global one wipes out
GLOBAL_THRESHOLD = 0
LOCAL_THRESHOLD = 2
THREAD_LIMIT_VARIABLE = "OMP_THREAD_LIMIT"


class _CallEnvironment(Mapping[str, str]):
    """The environment pytesseract starts Tesseract with: this process's, with the calling thread's
    settings on top. Tesseract parallelises with OpenMP over all cores; several OCR jobs side by side
    then oversubscribe the CPUs and each runs several times slower than with one thread (the Tesseract
    FAQ recommends OMP_THREAD_LIMIT=1 when you parallelise yourself). The limit is set per call, so that
    importing this module changes nothing in the process, and a caller may give one call more threads."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _merged(self) -> dict[str, str]:
        return {**os.environ, **getattr(self._local, "extra", {})}

    def __getitem__(self, key: str) -> str:
        extra = getattr(self._local, "extra", {})
        return extra[key] if key in extra else os.environ[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._merged())

    def __len__(self) -> int:
        return len(self._merged())

    @contextmanager
    def overlay(self, extra: Mapping[str, str]) -> Iterator[None]:
        before = getattr(self._local, "extra", {})
        self._local.extra = {**before, **extra}
        try:
            yield
        finally:
            self._local.extra = before


_ENVIRONMENT = _CallEnvironment()
pytesseract.pytesseract.environ = _ENVIRONMENT  # pytesseract hands its module's `environ` to Popen


def default_threads() -> int:
    """Threads one Tesseract run may use: the operator's OMP_THREAD_LIMIT, else 1."""
    try:
        return max(1, int(os.environ.get(THREAD_LIMIT_VARIABLE, "1")))
    except ValueError:
        return 1


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


def run_tsv(image: Image.Image, languages: str, timeout: float, psm: int,
            threshold: int = GLOBAL_THRESHOLD, *, threads: int | None = None) -> str:
    """One Tesseract run over `image`: its TSV output (words, boxes, confidences) as a string."""
    config = f"--psm {int(psm)}"
    if threshold != GLOBAL_THRESHOLD:
        config += f" -c thresholding_method={int(threshold)}"
    try:
        with _ENVIRONMENT.overlay({THREAD_LIMIT_VARIABLE: str(threads or default_threads())}):
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
    parsed = parse_tsv(run_tsv(image, languages, timeout, psm), scale=scale)
    return OcrResult(text=parsed.text, words=parsed.words, mean_confidence=parsed.mean_confidence,
                     languages=languages, engine=tesseract_version(),
                     seconds=round(time.perf_counter() - started, 3), passes=(f"psm{psm}",),
                     lines=parsed.lines)

