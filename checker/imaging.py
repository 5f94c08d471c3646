"""Step 1: open an uploaded image safely, orient it, and prepare it for OCR (Pillow + OpenCV)."""
from __future__ import annotations

import functools
import hashlib
import io
import struct
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from checker import documents, geometry
from checker.errors import ImageTooLargeError, InputError, UnsupportedMediaError

# Pillow's own decompression-bomb guard, set on purpose rather than left at its default: no
# configuration may accept more pixels than this, and load_image() checks the caller's (lower)
# limit itself from the header before any pixel is decoded.
PIXEL_CEILING = 200_000_000
Image.MAX_IMAGE_PIXELS = PIXEL_CEILING
MAX_SIDE = 30_000  # px; a longer side is not a photo of a label
MAX_ASPECT = 50  # a 1 x 5000 strip is not a label either
MIN_SIDE = 32  # px; nothing smaller can hold readable text

ACCEPTED = "JPEG/PNG/WebP/TIFF/BMP, HEIC or PDF"
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
               "TIFF": "image/tiff", "BMP": "image/bmp"}
_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "TIFF": "TIFF", "BMP": "BMP"}

# (offset, magic bytes, Pillow format) of the accepted types
_ACCEPTED_MAGIC = (
    (0, b"\xff\xd8\xff", "JPEG"),
    (0, b"\x89PNG\r\n\x1a\n", "PNG"),
    (0, b"II*\x00", "TIFF"),
    (0, b"MM\x00*", "TIFF"),
    (0, b"II+\x00", "TIFF"),  # BigTIFF
    (0, b"MM\x00+", "TIFF"),
    (0, b"BM", "BMP"),
)
# (offset, magic bytes, what to call it) of things people upload by mistake
_KNOWN_MAGIC = (
    (0, b"%PDF", "a PDF"),
    (0, b"GIF8", "a GIF image"),
    (0, b"8BPS", "a Photoshop file"),
    (0, b"PK\x03\x04", "a ZIP archive or office document"),
    (0, b"\x1f\x8b", "a gzip archive"),
    (0, b"Rar!", "a RAR archive"),
    (0, b"7z\xbc\xaf", "a 7-Zip archive"),
    (0, b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (0, b"\xff\x4f\xff\x51", "a JPEG 2000 image"),
    (0, b"\x00\x00\x01\x00", "an icon file"),
    (0, b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (0, b"{\\rtf", "an RTF document"),
    (0, b"\x7fELF", "a program"),
    (0, b"MZ", "a Windows program"),
)
# ISO-BMFF brands (bytes 8..12 after "ftyp" at 4): phones save HEIC by default
_FTYP_BRANDS = {
    b"heic": "a HEIC photo", b"heix": "a HEIC photo", b"hevc": "a HEIC photo", b"heim": "a HEIC photo",
    b"heis": "a HEIC photo", b"mif1": "a HEIF photo", b"msf1": "a HEIF photo",
    b"avif": "an AVIF image", b"avis": "an AVIF image",
}
_TEXT_KINDS = (
    (b"<svg", "an SVG drawing"), (b"<?xml", "an XML file"), (b"<!doctype html", "a web page (HTML)"),
    (b"<html", "a web page (HTML)"),
)
# everything Pillow raises on damaged or truncated data
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, IndexError,
                  TypeError)  # TypeError: a TIFF without its dimension tags


@dataclass(frozen=True)
class LoadedImage:
    """An uploaded image, decoded, upright (EXIF applied) and RGB; width/height are of that image."""

    image: Image.Image
    media_type: str
    width: int
    height: int
    sha256: str
    orientation: int = 1  # EXIF orientation tag found in the file (1 = already upright)
    frames: int = 1  # frames in the file; only the first is used


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


# ---------------------------------------------------------------- loading
def sniff(data: bytes) -> str | None:
    """Pillow format name of an accepted image type from its first bytes, else None."""
    for offset, magic, fmt in _ACCEPTED_MAGIC:
        if data[offset:offset + len(magic)] == magic:
            return fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def describe(data: bytes) -> str | None:
    """What a non-image upload is ("a PDF", "a text file"...) when it can be told, else None."""
    for offset, magic, kind in _KNOWN_MAGIC:
        if data[offset:offset + len(magic)] == magic:
            return kind
    if data[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(data[8:12], "a video or ISO media file")
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for prefix, kind in _TEXT_KINDS:
        if head.startswith(prefix):
            return kind
    return "a text file" if _looks_like_text(data[:4096]) else None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # a cut multi-byte char at the very end is fine
            return False
        text = head[:e.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return bool(text) and printable / len(text) > 0.95


def _unsupported(data: bytes, filename: str | None) -> UnsupportedMediaError:
    kind = describe(data)
    name_hint = ""
    if filename and "." in filename:
        name_hint = f" (although its name ends in .{filename.rsplit('.', 1)[1].lower()})"
    if kind:
        message = f"this is {kind}{name_hint}, upload a photo ({ACCEPTED})"
    else:
        message = f"the file is not an image this checker can read{name_hint}, upload a photo ({ACCEPTED})"
    return UnsupportedMediaError(message)


def _check_size(width: int, height: int, max_pixels: int) -> None:
    limit = min(max_pixels, PIXEL_CEILING)
    if width * height > limit:
        raise ImageTooLargeError(
            f"the image is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"the limit is {limit / 1e6:.0f} megapixels, resize it and try again")
    if max(width, height) > MAX_SIDE or max(width, height) > MAX_ASPECT * max(1, min(width, height)):
        raise ImageTooLargeError(f"the image is {width}x{height} pixels, which is not a label photo; "
                                 "crop or resize it and try again")
    if min(width, height) < MIN_SIDE:
        raise InputError(f"the image is only {width}x{height} pixels, too small to read a label")


def _open(data: bytes, fmt: str, max_pixels: int) -> tuple[Image.Image, int]:
    """Decode the first frame fully (so damage shows here, not later); returns (image, frames)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data), formats=[fmt])
            _check_size(img.width, img.height, max_pixels)  # from the header: nothing decoded yet
            frames = getattr(img, "n_frames", 1)
            img.seek(0)
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise ImageTooLargeError("the image has more pixels than can be opened safely; resize it "
                                     "and try again") from e
        except _DECODE_ERRORS as e:
            raise InputError(f"the {_NAMES[fmt]} image is damaged or incomplete (was the upload cut off?); "
                             "upload the photo again") from e
    return img, frames


def _orient(img: Image.Image) -> tuple[Image.Image, int]:
    """Apply the EXIF orientation tag; a broken EXIF block is ignored, not fatal."""
    try:
        orientation = int(img.getexif().get(0x0112, 1))
    except _DECODE_ERRORS:
        return img, 1
    if orientation == 1:
        return img, 1
    try:
        return ImageOps.exif_transpose(img), orientation
    except _DECODE_ERRORS:
        return img, 1


def to_rgb(img: Image.Image) -> Image.Image:
    """RGB, with transparency flattened on white and 16-bit/float samples brought to 8 bits."""
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() if arr.size else 0.0
        if img.mode == "F" and 0 < top <= 1.0:  # float images are often scaled 0..1
            arr = arr * 255.0
        elif top > 255:
            arr = arr * (255.0 / (65535.0 if top <= 65535 else top))
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    if img.mode == "P" and "transparency" in img.info or img.mode in ("PA", "LA", "RGBA", "La", "RGBa"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return img.convert("RGB") if img.mode != "RGB" else img


def load_image(data: bytes, filename: str | None = None, *, max_pixels: int = 60_000_000) -> LoadedImage:
    """Decode an upload by its real type (not its name) into an upright RGB image, or raise why not.

    PDF (first pages) and HEIC/HEIF photos are decoded by checker.documents.
    """
    if not data:
        raise InputError("the file is empty")
    fmt = sniff(data)
    if fmt is None:
        document = documents.decode_document(data, max_pixels=min(max_pixels, PIXEL_CEILING))
        if document is None:
            raise _unsupported(data, filename)
        img = to_rgb(document)
        _check_size(img.width, img.height, max_pixels)
        return LoadedImage(image=img, media_type=documents.document_type(data) or "application/octet-stream",
                           width=img.width, height=img.height, sha256=hashlib.sha256(data).hexdigest())
    img, frames = _open(data, fmt, max_pixels)
    img, orientation = _orient(img)
    img = to_rgb(img)
    return LoadedImage(image=img, media_type=MEDIA_TYPES[fmt], width=img.width, height=img.height,
                       sha256=hashlib.sha256(data).hexdigest(), orientation=orientation, frames=frames)


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


# ---------------------------------------------------------------- straightening photos
ANALYSIS_LONG_SIDE = 1200  # px: the label, text direction and line shapes are found on a copy this long
MIN_TEXT_BLOBS = 20  # fewer letter- or word-shaped blobs: no text to straighten by
UPRIGHT_MARGIN = 0.15  # |upright score| below this: 0 and 180 degrees cannot be told apart
MIN_WOBBLE = 0.05  # x the text height: lines straying less than this from level are left as they are
MIN_WOBBLE_PX = 0.8
MAX_WOBBLE_LEFT = 0.7  # a line field must take away at least 30 % of the lines' straying to be used
CLAHE_CLIP = 2.5  # contrast limit of the local equalisation in the light-evening preparation
CLAHE_TILE_LINES = 8  # tiles about this many text heights across
CROP_MARGIN = 0.25  # of the text area, kept around it when there is no label outline to crop to


@dataclass(frozen=True)
class Straightening:
    """How to turn an input image into an upright, flat view of its text (found on a small copy)."""

    matrix: np.ndarray  # 3x3, input px -> view px (the view: cropped, rectified, rotated)
    size: tuple[int, int]  # (w, h) of the view
    field: geometry.LineField | None  # bends that remain in the view's lines, None: straight
    text_height: float | None  # median glyph height in view px (None: not measurable)
    label_found: bool  # a label outline was found and its perspective undone
    rotation: float  # degrees counter-clockwise applied (after any perspective correction)
    upright: float  # upright score of the view (> 0 upright; near 0 unsure)
    bend: float  # largest shift (view px) the field applies

    @property
    def changes_anything(self) -> bool:
        """False when the input is already a flat, straight, upright print (the view adds nothing)."""
        return (self.label_found or abs(self.rotation) >= geometry.MIN_SKEW
                or self.field is not None)

    @property
    def sure_of_orientation(self) -> bool:
        return abs(self.upright) >= UPRIGHT_MARGIN


FLAT_CHECK_SIDE = 800  # px: the quick test for a flat print runs on a copy this long
FLAT_MAX_SKEW = 1.0  # degrees: Tesseract reads a clean print this little skewed without help
FLAT_BORDER = 0.03  # of the side: the frame strip that must be mostly plain paper in a flat print
FLAT_PAPER_SHARE = 0.5  # of that strip within FLAT_PAPER_DIFF of the page's typical grey (colour
FLAT_PAPER_DIFF = 20.0  # bands and borders may touch the edge; a table top around a photo does not)


def _text_direction(gray: np.ndarray) -> tuple[np.ndarray, float, float] | None:
    """Centres of the text blobs, their median height and the text angle; None with too little text."""
    boxes = geometry.text_blobs(geometry.ink_mask(gray))
    if len(boxes) < MIN_TEXT_BLOBS:
        return None
    text_height = float(np.median(np.minimum(boxes[:, 2], boxes[:, 3])))
    seeds = geometry.text_region(boxes, gray.shape)
    angle, _ = geometry.text_angle(seeds, text_height)
    return seeds, text_height, angle


def looks_flat(image: Image.Image) -> bool:
    """A quick test (a few tens of ms) for a flat, level, upright print filling the frame.

    Such an image needs no straightening and gets the plain preparation. Level text, an upright
    reading direction and a frame of plain paper all have to hold; anything else is analysed fully.
    """
    small, _ = geometry.downscale(to_gray(image), FLAT_CHECK_SIDE)
    direction = _text_direction(small)
    if direction is None:
        return False
    seeds, text_height, angle = direction
    if len(seeds) < MIN_TEXT_BLOBS or min(angle, 180.0 - angle) >= FLAT_MAX_SKEW:
        return False
    h, w = small.shape
    b = max(2, round(FLAT_BORDER * min(h, w)))
    frame = np.concatenate([small[:b].ravel(), small[-b:].ravel(),
                            small[:, :b].ravel(), small[:, -b:].ravel()])
    (x0, y0), (x1, y1) = seeds.min(axis=0).astype(int), seeds.max(axis=0).astype(int)
    paper = float(np.median(small[y0:y1 + 1, x0:x1 + 1]))  # the ground the text is printed on
    if float((np.abs(frame.astype(np.float32) - paper) <= FLAT_PAPER_DIFF).mean()) < FLAT_PAPER_SHARE:
        return False
    upright, _ = geometry.upright_score(small, text_height)
    return upright > -UPRIGHT_MARGIN


def _view(small: np.ndarray, matrix: np.ndarray, size: tuple[int, int], field: geometry.LineField | None
          ) -> np.ndarray:
    view = geometry.warp(small, matrix, size)
    if field is None:
        return view
    map_x, map_y, _ = geometry.flatten_maps(field, size)
    return geometry.remap(view, map_x, map_y)


def _field_for(view: np.ndarray, text_height: float) -> tuple[geometry.LineField | None, float]:
    """The field that straightens the view's lines, if it does: lines must come out straighter."""
    pieces = geometry.line_samples(view, text_height)
    before = geometry.wobble(pieces)
    if before < max(MIN_WOBBLE_PX, MIN_WOBBLE * text_height):  # straight enough: bending adds only noise
        return None, 0.0
    field = geometry.fit_line_field(pieces, view.shape, text_height)
    if field is None:
        return None, 0.0
    size = (view.shape[1], view.shape[0])
    map_x, map_y, bend = geometry.flatten_maps(field, size)
    if bend < geometry.MAX_CURVE_SAG * text_height:
        return None, bend
    after = geometry.wobble(geometry.line_samples(geometry.remap(view, map_x, map_y), text_height))
    if after > MAX_WOBBLE_LEFT * before:
        return None, bend
    return field, bend


def straighten(image: Image.Image) -> Straightening | None:
    """Find the label, the direction and shape of its text lines and which way up it is; None: no text.

    All measuring happens on a copy no longer than ANALYSIS_LONG_SIDE; the returned matrix maps
    input pixels to the straightened view, so the final image is made with one warp (and one remap
    for curved lines) from the full-resolution input.
    """
    rgb = np.asarray(image.convert("RGB"))
    small_rgb, factor = geometry.downscale(rgb, ANALYSIS_LONG_SIDE)
    small = cv2.cvtColor(small_rgb, cv2.COLOR_RGB2GRAY)
    boxes = geometry.text_blobs(geometry.ink_mask(small))
    if len(boxes) < MIN_TEXT_BLOBS:
        return None
    quad = geometry.find_label(small_rgb, boxes)
    if quad is not None:
        matrix, size = geometry.quad_matrix(quad)
        left, top, right, bottom = geometry.band_extents(small_rgb, matrix, size)  # title bars
        matrix = geometry.translation(left, top) @ matrix
        size = (round(size[0] + left + right), round(size[1] + top + bottom))
    else:
        matrix, size = np.eye(3), (small.shape[1], small.shape[0])
    view = geometry.warp(small, matrix, size) if quad is not None else small
    direction = _text_direction(view)
    if direction is None:
        return None
    seeds, text_height, angle = direction
    rotation = -angle if angle <= 90 else 180.0 - angle
    if abs(rotation) < geometry.MIN_SKEW:
        rotation = 0.0
    if rotation:
        turn, size = geometry.rotation_matrix(rotation, size)
        matrix = turn @ matrix
        seeds = geometry.transform_points(seeds, turn)
    if quad is None and len(seeds):
        matrix, size = _crop_to(seeds, text_height, size, matrix)
    elif len(seeds):
        matrix, size = _widen_to(seeds, text_height, size, matrix)
    view = geometry.warp(small, matrix, size)
    field, bend = _field_for(view, text_height)
    upright, _ = geometry.upright_score(_view(small, matrix, size, field), text_height)
    if upright < -UPRIGHT_MARGIN:
        turn, size = geometry.rotation_matrix(180.0, size)
        matrix = turn @ matrix
        rotation = (rotation + 180.0) % 360.0
        view = geometry.warp(small, matrix, size)
        field, bend = _field_for(view, text_height)
        upright = -upright
    flat = _view(small, matrix, size, field)
    glyph_height = estimate_text_height(find_glyphs(flat))
    return Straightening(matrix=matrix @ geometry.scaling(factor), size=size, field=field,
                         text_height=glyph_height, label_found=quad is not None, rotation=rotation,
                         upright=upright, bend=bend)


def _crop_to(seeds: np.ndarray, text_height: float, size: tuple[int, int], matrix: np.ndarray
             ) -> tuple[np.ndarray, tuple[int, int]]:
    """Crop the view to the text (with a margin), when that removes a good part of it."""
    low, high = seeds.min(axis=0), seeds.max(axis=0)
    # generous: dense text leaves out big titles and lone amounts at the edge, which must stay in
    margin = np.maximum(6 * text_height, CROP_MARGIN * (high - low))
    x0, y0 = np.maximum(0, low - margin)
    x1, y1 = np.minimum(size, high + margin)
    if (x1 - x0) * (y1 - y0) > 0.7 * size[0] * size[1]:
        return matrix, size
    return geometry.translation(-x0, -y0) @ matrix, (max(1, round(x1 - x0)), max(1, round(y1 - y0)))


def _widen_to(seeds: np.ndarray, text_height: float, size: tuple[int, int], matrix: np.ndarray
              ) -> tuple[np.ndarray, tuple[int, int]]:
    """Widen the view so that all the text (with a margin) is inside, when the label outline cut some."""
    margin = 3 * text_height
    x0, y0 = np.minimum(0, seeds.min(axis=0) - margin)
    x1, y1 = np.maximum(size, seeds.max(axis=0) + margin)
    if (x0, y0, x1, y1) == (0, 0, *size):
        return matrix, size
    return geometry.translation(-x0, -y0) @ matrix, (round(x1 - x0), round(y1 - y0))


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


def render(image: Image.Image, geo: Straightening, *, name: str = "straight", light: bool = False,
           turn: int = 0) -> PreparedImage:
    """The straightened view of the full-resolution input at the scale Tesseract reads best.

    One perspective warp (and one remap when lines are curved) from the input; `light` divides out
    uneven light; `turn` (90, 180, 270) turns the result counter-clockwise, for orientation trials.
    """
    gray = to_gray(image)
    matrix, size = geo.matrix, geo.size
    input_per_view = float(np.sqrt(abs(np.linalg.det(np.linalg.inv(matrix)[:2, :2]))))
    text_height = geo.text_height * input_per_view if geo.text_height else None  # in input px
    per_input = choose_scale(round(size[0] * input_per_view), round(size[1] * input_per_view), text_height)
    matrix = geometry.scaling(per_input * input_per_view) @ matrix
    out_size = (max(1, round(size[0] * per_input * input_per_view)),
                max(1, round(size[1] * per_input * input_per_view)))
    source, source_matrix = gray, matrix
    if per_input < 0.9:  # shrink by area averaging first: a perspective warp would alias small print
        source = resize(gray, per_input)
        source_matrix = matrix @ geometry.scaling(gray.shape[1] / source.shape[1])
    out = geometry.warp(source, source_matrix, out_size)
    mapping = geometry.PointMap((geometry.Homography(np.linalg.inv(matrix)),))
    if geo.field is not None:
        map_x, map_y, _ = geometry.flatten_maps(geo.field, out_size)
        out = geometry.remap(out, map_x, map_y)
        mapping = mapping.then(geometry.Remap(map_x, map_y))
    if light:
        out = flatten_light(out, TARGET_TEXT_HEIGHT)
    out = normalise_contrast(out)
    quarter_turns = (turn // 90) % 4
    if quarter_turns:
        mapping = mapping.then(geometry.QuarterTurns(quarter_turns, (out.shape[1], out.shape[0])))
        out = np.ascontiguousarray(np.rot90(out, quarter_turns))
    # letters and words: blurred photos run the letters of a word together
    blobs = geometry.text_blobs(geometry.ink_mask(out))
    view_centres = blobs[:, :2] + blobs[:, 2:] / 2 if len(blobs) else np.zeros((0, 2))
    centres = mapping(view_centres) if len(blobs) else np.zeros((0, 2))
    relight = None if light else functools.partial(render, image, geo, name=f"{name}-light", light=True,
                                                   turn=turn)
    return PreparedImage(image=Image.fromarray(out, "L"), scale=per_input, name=name, text_height=text_height,
                         glyph_centres=tuple((round(x), round(y)) for x, y in centres), mapping=mapping,
                         input_size=image.size,
                         view_blobs=tuple((int(x), int(y), int(w), int(h)) for x, y, w, h in blobs),
                         relight=relight)


# ---------------------------------------------------------------- the candidate list
Preparation = Callable[[Image.Image], PreparedImage]
PREPARATIONS: tuple[Preparation, ...] = (prepare,)


@dataclass(frozen=True)
class Candidate:
    """One way to prepare an image for OCR, in the order candidates() lists them."""

    name: str
    make: Preparation
    rescue: bool = False  # only worth a pass when the best reading so far is mostly noise

    def __call__(self, image: Image.Image) -> PreparedImage:
        return self.make(image)


def candidates(image: Image.Image) -> list[Preparation]:
    """Preparations to try for this image, best first (ocr_image stops at the first good reading).

    A flat, straight, upright print gets the plain preparation only (no time lost on clean prints).
    A photo gets its straightened view; while the reading is noise: the view turned over (text
    upside down), the view with its light evened out (faint print), the plain preparation (in case
    the straightening went wrong). A weak reading of a view has the view's relight merged in later.
    """
    if looks_flat(image):
        return list(PREPARATIONS)
    geo = straighten(image)
    if geo is None or not geo.changes_anything:
        return list(PREPARATIONS)
    return [
        Candidate("straight", functools.partial(render, geo=geo, name="straight")),
        Candidate("straight-turned", functools.partial(render, geo=geo, name="straight-turned", turn=180),
                  rescue=True),
        Candidate("straight-light", functools.partial(render, geo=geo, name="straight-light", light=True),
                  rescue=True),
        *(Candidate(getattr(p, "__name__", "default"), p, rescue=True) for p in PREPARATIONS),
    ]
