"""Step 1b: prepare an image for Tesseract: grayscale, text height, scale, contrast (OpenCV)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from checker.imaging import geometry


@dataclass(frozen=True)
class PreparedImage:
    """An image ready for Tesseract: grayscale, scaled, contrast-normalised."""

    image: Image.Image
    scale: float  # prepared px per input px
    name: str = "default"  # which preparation made it (shown in OcrResult.passes)
    text_height: float | None = None  # estimated median glyph height in input px (None: no text found)
    glyph_centres: tuple[tuple[int, int], ...] = ()  # letter-like ink blobs, input px (to spot missed text)
    # prepared px -> input px when the preparation is more than a scaling (None: divide by `scale`)
    mapping: geometry.PointMap | None = None
    input_size: tuple[int, int] | None = None  # (w, h) of the input; boxes are clipped to it
    # boxes (x, y, w, h) of letter- or word-like ink blobs, prepared px (mapped views)
    view_blobs: tuple[tuple[int, int, int, int], ...] = ()
    # the same view with its light evened out (same geometry: its words line up with these), or None
    relight: Callable[[], PreparedImage] | None = None

    @property
    def view_glyphs(self) -> tuple[tuple[int, int], ...]:
        """The centres of view_blobs."""
        return tuple((round(x + w / 2), round(y + h / 2)) for x, y, w, h in self.view_blobs)


# ---------------------------------------------------------------- preparation for OCR
# px of median glyph height (x-height ~16): on rendered and scanned labels 20 read as well as 24-30
# and fastest; Tesseract's accuracy falls off below an x-height of ~10 px
TARGET_TEXT_HEIGHT = 20.0
FALLBACK_LONG_SIDE = 2200  # px: target when no text height can be estimated
MAX_UPSCALE = 3.0
MIN_SCALE = 0.25
MAX_PREPARED_PIXELS = 12_000_000  # bounds Tesseract's time on huge photos
_ANALYSIS_LONG_SIDE = 1600  # text height is estimated on a copy no longer than this
MIN_GLYPHS = 20  # fewer letter-like blobs than this: no text to measure


def to_gray(image: Image.Image) -> np.ndarray:
    """8-bit grayscale array of a PIL image."""
    arr = np.asarray(image.convert("RGB"))
    return cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)


def find_glyphs(gray: np.ndarray) -> np.ndarray:
    """Boxes (x, y, w, h) of letter-sized connected components of ink, in the pixels of `gray`.

    Works on a downscaled copy for speed; ink is found with a local (adaptive) threshold so uneven
    light does not merge the background into one blob, and light-on-dark print is handled too.
    """
    h, w = gray.shape
    factor = min(1.0, _ANALYSIS_LONG_SIDE / max(h, w))
    small = cv2.resize(gray, (max(1, round(w * factor)), max(1, round(h * factor))),
                       interpolation=cv2.INTER_AREA) if factor < 1.0 else gray
    block = max(15, (min(small.shape) // 30) | 1)
    if _polarity_is_light_on_dark(small):
        ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, -15)
    else:
        ink = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    boxes = stats[1:, :4].astype(np.float64)
    widths, heights, areas = boxes[:, 2], boxes[:, 3], stats[1:, cv2.CC_STAT_AREA]
    fill = areas / np.maximum(1, widths * heights)
    letter = ((heights >= 4) & (heights <= small.shape[0] / 8) & (widths <= 3 * heights)
              & (heights <= 6 * widths) & (fill > 0.1) & (fill < 0.95) & (areas >= 8))
    return boxes[letter] / factor


def estimate_text_height(glyphs: np.ndarray) -> float | None:
    """Median glyph height (px), or None when there are too few glyphs to call it text."""
    if len(glyphs) < MIN_GLYPHS:
        return None
    return float(np.median(glyphs[:, 3]))


def _polarity_is_light_on_dark(gray: np.ndarray) -> bool:
    return float(np.median(gray)) < 100


def choose_scale(width: int, height: int, text_height: float | None) -> float:
    """Scale that brings the text to TARGET_TEXT_HEIGHT, bounded by MAX_UPSCALE and the pixel cap."""
    if text_height:
        scale = TARGET_TEXT_HEIGHT / text_height
    else:
        scale = FALLBACK_LONG_SIDE / max(width, height)
    scale = min(max(scale, MIN_SCALE), MAX_UPSCALE)
    cap = (MAX_PREPARED_PIXELS / (width * height)) ** 0.5
    return min(scale, cap)


def normalise_contrast(gray: np.ndarray) -> np.ndarray:
    """Stretch the 1st..99th percentile to full range (keeps flat backgrounds flat, unlike CLAHE)."""
    lo, hi = np.percentile(gray, (1, 99))
    if hi - lo < 8:  # blank or nearly: stretching would only amplify noise
        return gray
    lut = np.clip((np.arange(256, dtype=np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)
    return cv2.LUT(gray, lut)


def resize(gray: np.ndarray, scale: float) -> np.ndarray:
    """Resize with area averaging when shrinking and cubic interpolation when enlarging."""
    if abs(scale - 1.0) < 0.02:
        return gray
    h, w = gray.shape
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def prepare(image: Image.Image) -> PreparedImage:
    """Grayscale, scale so body text reaches a good height for Tesseract, normalise contrast."""
    gray = to_gray(image)
    glyphs = find_glyphs(gray)
    text_height = estimate_text_height(glyphs)
    scale = choose_scale(image.width, image.height, text_height)
    out = normalise_contrast(resize(gray, scale))
    scale = out.shape[1] / image.width  # the exact ratio after rounding
    centres = glyphs[:, :2] + glyphs[:, 2:] / 2
    return PreparedImage(image=Image.fromarray(out, "L"), scale=scale, name="default",
                         text_height=text_height,
                         glyph_centres=tuple((round(x), round(y)) for x, y in centres))

CLAHE_CLIP = 2.5  # contrast limit of the local equalisation in the light-evening preparation
CLAHE_TILE_LINES = 8  # tiles about this many text heights across


def flatten_light(gray: np.ndarray, text_height: float | None) -> np.ndarray:
    """Even out light: divide by the background (the print closed away), then raise local contrast.

    Dividing removes shading and a light fall-off; CLAHE then lifts print that glare or dim light
    has left faint, tile by tile, with a clip limit so paper grain is not blown up into specks.
    """
    size = int(3 * (text_height or 20)) | 1
    small, factor = geometry.downscale(gray, 800)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(size * factor) | 1),) * 2)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    background = cv2.GaussianBlur(background, (0, 0), max(1.0, size * factor / 2))
    if factor < 1:
        background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    even = cv2.divide(gray, np.maximum(background, 1), scale=255)
    tiles = max(2, round(max(gray.shape) / (CLAHE_TILE_LINES * (text_height or 20))))
    return cv2.createCLAHE(clipLimit=CLAHE_CLIP, tileGridSize=(tiles, tiles)).apply(even)

