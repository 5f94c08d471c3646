"""PDF and HEIC/HEIF uploads to one upright RGB image (pypdfium2, pillow-heif), for imaging.load_image()."""
from __future__ import annotations

import threading

import pillow_heif
import pypdfium2 as pdfium
from PIL import Image

from checker.errors import ImageTooLargeError, InputError

PDF_MEDIA_TYPE = "application/pdf"
HEIC_MEDIA_TYPE = "image/heic"
HEIF_MEDIA_TYPE = "image/heif"
PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024  # readers accept the %PDF- header anywhere in the first 1024 bytes
# ISO-BMFF brands (bytes 8..12, after "ftyp" at 4) of HEVC-coded HEIF files, as phones save them
HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
HEIF_BRANDS = frozenset({b"mif1", b"msf1"})  # generic HEIF (often HEVC too)

MAX_PDF_PAGES = 10  # a label file has a page or two (front, back); more is a brochure or a catalogue
RENDER_PAGES = 2  # pages rendered and stacked top to bottom: front and back of a label
PDF_DPI = 300
MIN_LONG_SIDE = 2000  # px: a small label page is rendered larger so that its small print stays readable
MAX_LONG_SIDE = 5000  # px per page: a poster-sized page is rendered smaller
PAGE_GAP = 40  # px of white between stacked pages
DEFAULT_MAX_PIXELS = 60_000_000
WHITE = (255, 255, 255)

# PDFium is not thread-safe: one document at a time in this process (web server threads share it)
_PDFIUM_LOCK = threading.Lock()


def document_type(data: bytes) -> str | None:
    """The media type of a PDF or HEIC/HEIF file from its first bytes, else None."""
    if PDF_MAGIC in data[:PDF_HEADER_WINDOW]:
        return PDF_MEDIA_TYPE
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in HEIC_BRANDS:
            return HEIC_MEDIA_TYPE
        if brand in HEIF_BRANDS:
            return HEIF_MEDIA_TYPE
    return None


def decode_document(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image | None:
    """An RGB image of a PDF's first pages or of a HEIC/HEIF photo; None when `data` is neither.

    Raises InputError for a damaged, empty, locked or over-long PDF or a HEIC that cannot be decoded,
    ImageTooLargeError when the picture would exceed `max_pixels`.
    """
    kind = document_type(data)
    if kind == PDF_MEDIA_TYPE:
        return render_pdf(data, max_pixels=max_pixels)
    if kind in (HEIC_MEDIA_TYPE, HEIF_MEDIA_TYPE):
        return decode_heif(data, max_pixels=max_pixels)
    return None


# ---------------------------------------------------------------- PDF
def render_pdf(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """The first RENDER_PAGES pages of a PDF, rendered and stacked into one image."""
    with _PDFIUM_LOCK:
        document = _open_pdf(data)
        try:
            count = len(document)
            if count == 0:
                raise InputError("The PDF has no pages: upload a photo or a PDF of the label.")
            if count > MAX_PDF_PAGES:
                raise InputError(f"The PDF has {count} pages; a label file has at most {MAX_PDF_PAGES}. "
                                 "Upload only the label pages, or a photo of the label.")
            pages = [_render_page(document, i) for i in range(min(count, RENDER_PAGES))]
        except pdfium.PdfiumError as e:
            raise InputError("The PDF is damaged and its pages could not be drawn: export it again "
                             "or upload a photo of the label.") from e
        finally:
            document.close()
    return _stack(pages, max_pixels)


def _open_pdf(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise InputError("The PDF is protected with a password: save it without one, or upload a "
                             "photo of the label.") from e
        raise InputError("The PDF is damaged or incomplete and cannot be opened (was the upload cut "
                         "off?): export it again or upload a photo of the label.") from e


def pdf_scale(width_pt: float, height_pt: float) -> float:
    """Pixels per PDF point: PDF_DPI, but a small page gets MIN_LONG_SIDE px and none above MAX_LONG_SIDE."""
    long_side = max(width_pt, height_pt, 1.0)
    scale = max(PDF_DPI / 72, MIN_LONG_SIDE / long_side)
    return min(scale, MAX_LONG_SIDE / long_side)


def _render_page(document: pdfium.PdfDocument, index: int) -> Image.Image:
    page = document[index]
    try:
        width, height = page.get_size()
        bitmap = page.render(scale=pdf_scale(width, height), may_draw_forms=True)
        try:
            return bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
    finally:
        page.close()


def _stack(pages: list[Image.Image], max_pixels: int) -> Image.Image:
    """Pages one below the other, left-aligned on white."""
    if len(pages) == 1:
        _check_pixels(pages[0].width, pages[0].height, max_pixels)
        return pages[0]
    width = max(p.width for p in pages)
    height = sum(p.height for p in pages) + PAGE_GAP * (len(pages) - 1)
    _check_pixels(width, height, max_pixels)
    sheet = Image.new("RGB", (width, height), WHITE)
    top = 0
    for page in pages:
        sheet.paste(page, (0, top))
        top += page.height + PAGE_GAP
    return sheet


# ---------------------------------------------------------------- HEIC / HEIF
def decode_heif(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """The primary picture of a HEIC/HEIF file, upright (pillow-heif applies its rotation) and RGB."""
    try:
        heif = pillow_heif.open_heif(data, convert_hdr_to_8bit=True)
        _check_pixels(heif.size[0], heif.size[1], max_pixels)  # from the header: nothing decoded yet
        image = heif.to_pillow()
    except (ValueError, RuntimeError, OSError, EOFError) as e:
        raise InputError("The HEIC/HEIF photo is damaged or uses a coding this checker cannot read: "
                         "export it as JPEG (on an iPhone: Settings > Camera > Formats > Most "
                         "Compatible) and upload it again.") from e
    return _rgb(image)


def _rgb(image: Image.Image) -> Image.Image:
    """RGB with any transparency flattened on white."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*WHITE, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"The document's picture would be {width}x{height} pixels ({width * height / 1e6:.0f} "
            f"megapixels); the limit is {max_pixels / 1e6:.0f} megapixels.")
