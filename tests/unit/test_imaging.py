"""Loading uploads safely (types, orientation, limits, damage) and preparing them for OCR."""
from __future__ import annotations

import hashlib
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from checker import imaging
from checker.errors import ImageTooLargeError, InputError, UnsupportedMediaError
from tests.render import add_exif_orientation, render_label, to_bytes


def _marked(width: int = 300, height: int = 200) -> Image.Image:
    """White image with a black square in the top-left corner, to tell which way is up."""
    img = Image.new("RGB", (width, height), "white")
    img.paste((0, 0, 0), (0, 0, 40, 40))
    return img


def _top_left_is_dark(img: Image.Image) -> bool:
    gray = np.asarray(img.convert("L"))
    return gray[:30, :30].mean() < 60 and gray[-30:, -30:].mean() > 200


def _png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (no real pixel data)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


@pytest.mark.parametrize(("fmt", "media_type"), [
    ("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"), ("TIFF", "image/tiff"),
    ("BMP", "image/bmp"),
])
def test_accepted_formats_round_trip(fmt: str, media_type: str) -> None:
    data = to_bytes(_marked(), fmt)
    loaded = imaging.load_image(data, "label.jpg")  # the name is not trusted
    assert loaded.media_type == media_type
    assert (loaded.width, loaded.height) == (300, 200) == loaded.image.size
    assert loaded.image.mode == "RGB"
    assert loaded.sha256 == hashlib.sha256(data).hexdigest()
    assert _top_left_is_dark(loaded.image)


@pytest.mark.parametrize(("orientation", "stored_size"), [(1, (300, 200)), (3, (300, 200)), (6, (200, 300)),
                                                          (8, (200, 300)), (5, (200, 300)), (2, (300, 200))])
def test_exif_orientation_gives_the_upright_image(orientation: int, stored_size: tuple[int, int]) -> None:
    data = add_exif_orientation(to_bytes(_marked(), "JPEG"), orientation)
    assert Image.open(io.BytesIO(data)).size == stored_size  # what the camera stored
    loaded = imaging.load_image(data, "IMG_0001.JPG")
    assert (loaded.width, loaded.height) == (300, 200)
    assert loaded.orientation == orientation
    assert _top_left_is_dark(loaded.image)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_flattened_on_white(mode: str) -> None:
    img = Image.new("RGBA", (100, 80), (0, 0, 0, 0))  # fully transparent black
    img.paste((0, 0, 0, 255), (0, 0, 20, 20))
    if mode == "P":
        img = img.convert("P", palette=Image.Palette.ADAPTIVE)
        img.info["transparency"] = img.getpixel((99, 79))
        data = to_bytes(img, "PNG", transparency=img.info["transparency"])
    else:
        data = to_bytes(img.convert(mode), "PNG")
    rgb = imaging.load_image(data).image
    assert rgb.getpixel((90, 70)) == (255, 255, 255)
    assert rgb.getpixel((5, 5)) == (0, 0, 0)


def test_sixteen_bit_grayscale_keeps_its_contrast() -> None:
    arr = np.full((60, 80), 60000, dtype=np.uint16)
    arr[:20, :20] = 1000
    data = to_bytes(Image.fromarray(arr), "PNG")
    rgb = imaging.load_image(data).image
    assert rgb.getpixel((70, 50))[0] > 200 and rgb.getpixel((5, 5))[0] < 20


@pytest.mark.parametrize("mode", ["CMYK", "L", "1"])
def test_other_colour_modes_become_rgb(mode: str) -> None:
    data = to_bytes(_marked().convert(mode), "TIFF" if mode != "CMYK" else "JPEG")
    loaded = imaging.load_image(data)
    assert loaded.image.mode == "RGB" and _top_left_is_dark(loaded.image)


def test_multi_frame_tiff_uses_the_first_frame() -> None:
    buf = io.BytesIO()
    _marked().save(buf, "TIFF", save_all=True, append_images=[Image.new("RGB", (300, 200), "black")])
    loaded = imaging.load_image(buf.getvalue())
    assert loaded.frames == 2
    assert _top_left_is_dark(loaded.image)


@pytest.mark.parametrize(("data", "filename", "error", "words"), [
    (b"", "x.jpg", InputError, ["empty"]),
    (b"Natriumbutyraat 600 mg\nGebruik: 1 capsule per dag\n", "label.jpg", UnsupportedMediaError,
     ["text file", ".jpg", "JPEG/PNG/WebP/TIFF/BMP"]),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "label.jpg",
     InputError, ["PDF", "damaged"]),  # a PDF is read (checker.documents); a broken one is named
    (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "label.gif", UnsupportedMediaError, ["GIF"]),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "IMG_1234.HEIC", InputError, ["HEIC", "damaged"]),
    (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif", "photo.avif", UnsupportedMediaError, ["AVIF"]),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", None, UnsupportedMediaError, ["SVG"]),
    (b"PK\x03\x04\x14\x00\x06\x00", "label.docx", UnsupportedMediaError, ["ZIP", "document"]),
    (bytes(range(256)) * 4, "blob.bin", UnsupportedMediaError, ["not an image"]),
])
def test_non_images_are_refused_with_a_clear_message(data: bytes, filename: str | None,
                                                       error: type[Exception], words: list[str]) -> None:
    with pytest.raises(error) as info:
        imaging.load_image(data, filename)
    for word in words:
        assert word.lower() in info.value.message.lower()


def _cut(fmt: str, keep: float) -> bytes:
    data = to_bytes(render_label(["Zutaten", "Calciumbutyrat, Magnesiumbutyrat"] * 4, width=500), fmt)
    return data[:int(len(data) * keep)]


@pytest.mark.parametrize(("fmt", "keep"), [("JPEG", 0.5), ("JPEG", 0.02), ("PNG", 0.5), ("PNG", 0.01),
                                           ("WEBP", 0.6), ("TIFF", 0.5), ("BMP", 0.5)])
def test_truncated_images_are_refused_as_damaged(fmt: str, keep: float) -> None:
    with pytest.raises(InputError) as info:
        imaging.load_image(_cut(fmt, keep), f"label.{fmt.lower()}")
    assert type(info.value) is InputError  # damaged, not "unsupported type"
    assert "damaged or incomplete" in info.value.message


@pytest.mark.parametrize(("data", "max_pixels"), [
    (_png_header(100_000, 100_000), 60_000_000),  # a decompression bomb, far over Pillow's own guard
    (_png_header(9_000, 9_000), 60_000_000),  # 81 MP: over our limit, under Pillow's
    (_png_header(40_000, 20), 60_000_000),  # few pixels but absurd proportions
    (to_bytes(Image.new("RGB", (1200, 1000), "white"), "PNG"), 1_000_000),  # over a configured limit
])
def test_too_large_images_are_refused_before_decoding(data: bytes, max_pixels: int) -> None:
    with pytest.raises(ImageTooLargeError) as info:
        imaging.load_image(data, "big.png", max_pixels=max_pixels)
    assert "resize" in info.value.message


def test_a_tiny_image_is_refused_as_unreadable() -> None:
    with pytest.raises(InputError, match="too small"):
        imaging.load_image(to_bytes(Image.new("RGB", (12, 10), "white"), "PNG"))


@pytest.mark.parametrize(("font_size", "grows"), [(11, True), (14, True), (90, False)])
def test_prepare_brings_text_to_the_target_height(font_size: int, grows: bool) -> None:
    img = render_label(["Title"] + ["Natriumbutyraat 600 mg, waarvan boterzuur 480 mg"] * 6,
                       width=2600 if font_size > 50 else 900, font_size=font_size, bold_title=False)
    prepared = imaging.prepare(img)
    assert prepared.image.mode == "L"
    assert (prepared.scale > 1.0) is grows
    assert prepared.text_height is not None
    height_after = prepared.text_height * prepared.scale
    assert 0.7 * imaging.TARGET_TEXT_HEIGHT <= height_after <= 1.3 * imaging.TARGET_TEXT_HEIGHT
    assert prepared.image.width == round(img.width * prepared.scale)


def test_prepare_never_exceeds_the_pixel_cap() -> None:
    img = render_label(["Tiny print " * 40] * 80, width=5000, font_size=9, bold_title=False)
    prepared = imaging.prepare(img)
    assert prepared.image.width * prepared.image.height <= imaging.preparation.MAX_PREPARED_PIXELS * 1.01


def test_prepare_stretches_faint_contrast() -> None:
    faint = render_label(["Zutaten", "Calciumbutyrat 600 mg"] * 5, foreground=150, background=200)
    gray = np.asarray(imaging.prepare(faint).image)
    assert gray.min() < 30 and gray.max() > 225


def test_prepare_of_a_blank_image_finds_no_text() -> None:
    prepared = imaging.prepare(Image.new("RGB", (1000, 800), "white"))
    assert prepared.text_height is None and prepared.glyph_centres == ()
    assert 1.5 < prepared.scale <= imaging.preparation.MAX_UPSCALE  # falls back to a long-side target


def test_glyph_centres_are_in_input_pixels() -> None:
    img = Image.new("RGB", (1200, 900), "white")
    img.paste(render_label(["Zutaten: Lactose, Calciumbutyrat, Magnesiumbutyrat"] * 2, width=700,
                           bold_title=False), (400, 500))
    centres = np.asarray(imaging.prepare(img).glyph_centres)
    assert len(centres) > 40
    assert centres[:, 0].min() >= 400 and centres[:, 1].min() >= 500
