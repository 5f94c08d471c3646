"""PDF and HEIC uploads become one upright RGB picture of the label; broken or odd files are refused."""
from __future__ import annotations

import io

import pillow_heif
import pytest
from PIL import Image, ImageDraw

from checker.errors import ImageTooLargeError, InputError
from checker.imaging import documents
from checker.imaging.documents import decode_document, document_type, pdf_scale
from tests.render import render_label, to_bytes

A4 = (595.0, 842.0)  # points


def pdf_of(*pages: Image.Image, resolution: float = 150.0) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=resolution, save_all=True, append_images=list(pages[1:]))
    return buf.getvalue()


def heic_of(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    pillow_heif.from_pillow(image).save(buf, quality=90)
    return buf.getvalue()


def half_red(width: int = 320, height: int = 200) -> Image.Image:
    """White, with the left half red: shows both colour and orientation survive."""
    img = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(img).rectangle((0, 0, width // 2 - 1, height - 1), fill=(220, 20, 20))
    return img


@pytest.mark.parametrize(("head", "expected"), [
    (b"%PDF-1.7\n", "application/pdf"),
    (b"\xef\xbb\xbf\r\n%PDF-1.4\n", "application/pdf"),  # junk before the header is allowed
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic"),
    (b"\x00\x00\x00\x18ftypheix\x00\x00\x00\x00", "image/heic"),
    (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00", "image/heif"),
    (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00", None),  # AVIF is not HEIC
    (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00", None),  # an MP4 video
    (b"\xff\xd8\xff\xe0", None),  # JPEG: imaging.py opens it itself
    (b"", None),
])
def test_document_type_is_told_from_the_first_bytes(head: bytes, expected: str | None) -> None:
    assert document_type(head + b"\x00" * 64) == expected


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_ordinary_images_are_left_to_imaging(fmt: str) -> None:
    assert decode_document(to_bytes(half_red(), fmt)) is None


@pytest.mark.parametrize(("size_pt", "long_side_px"), [
    (A4, round(842 * 300 / 72)),  # a page: 300 dpi
    ((142.0, 85.0), 2000),  # a 5 x 3 cm label: drawn larger so the small print stays readable
    ((3000.0, 2000.0), 5000),  # a poster: drawn smaller
])
def test_pdf_pages_are_drawn_large_enough_to_read(size_pt: tuple[float, float], long_side_px: int) -> None:
    assert round(max(size_pt) * pdf_scale(*size_pt)) == long_side_px


def test_a_pdf_label_becomes_a_readable_picture() -> None:
    label = render_label(["Calm Gut", "Ingredients: calcium butyrate."], width=800)
    image = decode_document(pdf_of(label))
    assert image is not None and image.mode == "RGB"
    assert image.width / image.height == pytest.approx(label.width / label.height, rel=0.01)
    assert max(image.size) >= documents.MIN_LONG_SIDE
    assert image.getextrema()[0][0] < 50  # the black text is there


def test_front_and_back_pages_are_stacked_and_later_pages_ignored() -> None:
    pages = [half_red(400, 300), half_red(400, 300), half_red(400, 300)]
    one = decode_document(pdf_of(pages[0]))
    image = decode_document(pdf_of(*pages))
    assert one is not None and image is not None
    assert image.width == one.width
    assert image.height == 2 * one.height + documents.PAGE_GAP  # only RENDER_PAGES = 2 pages


@pytest.mark.parametrize(("data", "message"), [
    (pdf_of(*[half_red(100, 60)] * (documents.MAX_PDF_PAGES + 1)), f"{documents.MAX_PDF_PAGES + 1} pages"),
    (b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF", "damaged"),
    (pdf_of(half_red())[:300], "damaged"),  # cut off during the upload
])
def test_a_pdf_that_cannot_be_a_label_is_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode_document(data)


def test_an_iphone_heic_photo_keeps_its_size_and_colours() -> None:
    image = decode_document(heic_of(half_red()))
    assert image is not None and image.mode == "RGB" and image.size == (320, 200)
    red, green, _ = image.getpixel((40, 100))
    assert red > 180 and green < 80  # left half still red: not mirrored or rotated
    assert min(image.getpixel((300, 100))) > 200  # right half white


def test_a_heic_with_transparency_is_flattened_on_white() -> None:
    clear = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    image = decode_document(heic_of(clear))
    assert image is not None and image.mode == "RGB"
    assert min(image.getpixel((32, 32))) > 200


@pytest.mark.parametrize("cut", [60, 400])
def test_a_damaged_heic_is_refused(cut: int) -> None:
    with pytest.raises(InputError, match="HEIC"):
        decode_document(heic_of(half_red())[:cut])


@pytest.mark.parametrize("data", [heic_of(half_red()), pdf_of(half_red())])
def test_documents_respect_the_pixel_limit(data: bytes) -> None:
    with pytest.raises(ImageTooLargeError, match="megapixels"):
        decode_document(data, max_pixels=10_000)
