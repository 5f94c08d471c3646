"""The product's barcode is read from the label photo, and only a GTIN with a correct check digit counts."""
from __future__ import annotations

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from checker.barcode import gtin_check_digit_ok, read_gtin
from tests.render import render_label, rotate

F = zxingcpp.BarcodeFormat


def barcode(text: str, fmt: zxingcpp.BarcodeFormat, scale: int = 3) -> Image.Image:
    symbol = zxingcpp.create_barcode(text, fmt)
    return Image.fromarray(np.array(zxingcpp.write_barcode_to_image(symbol, scale=scale))).convert("RGB")


def label_with(*codes: Image.Image) -> Image.Image:
    """A rendered label with the barcodes printed below the text."""
    text = render_label(["Butyra Forte", "Ingredients: sodium butyrate.", "Net contents: 60 capsules"])
    height = text.height + sum(c.height + 40 for c in codes)
    sheet = Image.new("RGB", (text.width, height), "white")
    sheet.paste(text, (0, 0))
    top = text.height
    for code in codes:
        sheet.paste(code, (80, top))
        top += code.height + 40
    return sheet


@pytest.mark.parametrize(("digits", "ok"), [
    ("4006381333931", True),  # EAN-13
    ("4006381333932", False),  # one digit off
    ("96385074", True),  # EAN-8
    ("036000291452", True),  # UPC-A
    ("10012345678902", True),  # GTIN-14
    ("400638133393", False),  # 12 digits that are no UPC-A
    ("40063813339", False),  # no GTIN length
    ("4006381333 931", False),
    ("٤٠٠٦٣٨١٣٣٣٩٣١", False),  # Arabic-Indic digits are digits to Python, not to a scanner
    ("", False),
])
def test_gtin_check_digit(digits: str, ok: bool) -> None:
    assert gtin_check_digit_ok(digits) is ok


@pytest.mark.parametrize(("code", "expected"), [
    (barcode("4006381333931", F.EAN13), "4006381333931"),
    (barcode("96385074", F.EAN8), "96385074"),
    (barcode("036000291452", F.UPCA), "0036000291452"),  # UPC-A as its 13-digit EAN
    (barcode("10012345678902", F.ITF14), "10012345678902"),
])
def test_the_barcode_on_a_label_gives_the_gtin(code: Image.Image, expected: str) -> None:
    assert read_gtin(label_with(code)) == expected


def test_a_sideways_photo_still_gives_the_gtin() -> None:
    assert read_gtin(rotate(label_with(barcode("4006381333931", F.EAN13)), 90)) == "4006381333931"


def test_a_large_photo_is_read_too() -> None:
    photo = label_with(barcode("4006381333931", F.EAN13, scale=8)).resize((5600, 2400))
    assert read_gtin(photo) == "4006381333931"


@pytest.mark.parametrize("code", [
    None,  # no barcode at all
    barcode("https://example.org/batch/123", F.QRCode),  # a QR code is no GTIN
    barcode("ABC-123", F.Code128),  # nor is an internal Code 128
])
def test_no_gtin_gives_none(code: Image.Image | None) -> None:
    assert read_gtin(label_with(*([code] if code else []))) is None


def test_the_first_gtin_wins_when_a_label_prints_two() -> None:
    photo = label_with(barcode("4006381333931", F.EAN13), barcode("96385074", F.EAN8))
    assert read_gtin(photo) == "4006381333931"
