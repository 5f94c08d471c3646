"""Product identity: the EAN/UPC/ITF-14 barcode (GTIN) printed on the label, read with zxing-cpp."""
from __future__ import annotations

import zxingcpp
from PIL import Image

# Retail barcodes only; zxing-cpp reports UPC-A as the 13-digit EAN and expands UPC-E to 13 digits.
FORMATS = (zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.EAN8, zxingcpp.BarcodeFormat.UPCE,
           zxingcpp.BarcodeFormat.ITF14)
GTIN_LENGTHS = frozenset({8, 12, 13, 14})
MAX_SIDE = 3000  # px: larger photos are scaled down first (a barcode stays readable, decoding is faster)


def gtin_check_digit_ok(digits: str) -> bool:
    """True for a GTIN-8/12/13/14 whose last digit is the GS1 mod-10 check digit of the others."""
    if not digits.isascii() or not digits.isdigit() or len(digits) not in GTIN_LENGTHS:
        return False
    body = [int(d) for d in reversed(digits[:-1])]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    return (10 - total % 10) % 10 == int(digits[-1])


def read_gtin(image: Image.Image) -> str | None:
    """The first barcode on the photo that is a GTIN with a valid check digit, as printed; else None."""
    gray = _downscaled(image.convert("L"))
    try:
        found = zxingcpp.read_barcodes(gray, formats=FORMATS)
    except (ValueError, RuntimeError):  # a decoder failure must never fail the label check
        return None
    for code in found:
        if code.valid and gtin_check_digit_ok(code.text):
            return code.text
    return None


def _downscaled(image: Image.Image) -> Image.Image:
    long_side = max(image.size)
    if long_side <= MAX_SIDE:
        return image
    factor = MAX_SIDE / long_side
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.BILINEAR)
