"""Step 1a: open an upload safely by its bytes, check its size from the header, orient it (Pillow)."""
from __future__ import annotations

import hashlib
import io
import struct
import warnings
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from checker.errors import ImageTooLargeError, InputError, UnsupportedMediaError
from checker.imaging import documents

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

