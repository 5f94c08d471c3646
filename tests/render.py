"""Render label text to images (and small image transforms) for the OCR and pipeline tests."""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts"), Path("/Library/Fonts"),
             Path("/System/Library/Fonts/Supplemental"))
REGULAR = ("DejaVuSans.ttf", "Arial.ttf")
BOLD = ("DejaVuSans-Bold.ttf", "Arial Bold.ttf")
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=32)
def font(size: int, *, bold: bool = False) -> Font:
    """A TrueType font found on the system (DejaVu Sans from fonts-dejavu-core), else Pillow's own."""
    for directory in FONT_DIRS:
        for name in BOLD if bold else REGULAR:
            path = directory / name
            if path.is_file():
                return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _wrap(line: str, fnt: Font, width: int) -> list[str]:
    """Greedy word wrap to `width` pixels (a blank line stays blank)."""
    out: list[str] = []
    current = ""
    for word in line.split():
        candidate = f"{current} {word}" if current else word
        if current and fnt.getlength(candidate) > width:
            out.append(current)
            current = word
        else:
            current = candidate
    out.append(current)
    return out


def render_label(lines: list[str] | str, *, width: int = 1400, font_size: int = 28, bold_title: bool = True,
                 margin: int = 60, line_spacing: float = 1.45, foreground: int | tuple[int, int, int] = 0,
                 background: int | tuple[int, int, int] = 255) -> Image.Image:
    """Black text on white: one entry per paragraph (wrapped to fit), the first one bold and larger.

    A string is split on newlines. An entry "" leaves a blank line.
    """
    paragraphs = lines.splitlines() if isinstance(lines, str) else list(lines)
    body = font(font_size)
    title = font(round(font_size * 1.4), bold=True) if bold_title else body
    text_width = width - 2 * margin
    rows: list[tuple[str, Font]] = []
    for i, paragraph in enumerate(paragraphs):
        fnt = title if i == 0 else body
        rows.extend((text, fnt) for text in _wrap(paragraph, fnt, text_width))
    heights = [round(fnt.size * line_spacing) if hasattr(fnt, "size") else font_size for _, fnt in rows]
    height = 2 * margin + sum(heights)
    mode = "L" if isinstance(background, int) else "RGB"
    img = Image.new(mode, (width, max(height, 2 * margin + 1)), background)
    draw = ImageDraw.Draw(img)
    y = margin
    for (text, fnt), h in zip(rows, heights, strict=True):
        draw.text((margin, y), text, font=fnt, fill=foreground)
        y += h
    return img.convert("RGB")


def rotate(img: Image.Image, degrees: float, *, expand: bool = True) -> Image.Image:
    """Rotate counter-clockwise, filling the new corners with white."""
    return img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=expand, fillcolor="white")


def to_bytes(img: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    """Encode an image as a file would hold it (PNG, JPEG, WEBP, TIFF, BMP...)."""
    buf = io.BytesIO()
    if fmt.upper() in ("JPEG", "JPG", "BMP") and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.save(buf, format="JPEG" if fmt.upper() == "JPG" else fmt.upper(), **params)
    return buf.getvalue()


# EXIF orientation -> the transpose that turns an upright image into what the camera stored
_STORED_AS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}


def add_exif_orientation(jpeg: bytes, orientation: int) -> bytes:
    """Re-save an upright JPEG the way a phone does: pixels stored turned, EXIF tag 274 saying how.

    A correct reader that applies the tag gets the original upright image back.
    """
    img = Image.open(io.BytesIO(jpeg))
    img.load()
    stored = img.transpose(_STORED_AS[orientation]) if orientation in _STORED_AS else img
    exif = Image.Exif()
    exif[0x0112] = orientation
    return to_bytes(stored.convert("RGB"), "JPEG", quality=92, exif=exif.tobytes())


def render_table(title: str, rows: list[tuple[str, str]], *, width: int = 1400, font_size: int = 28,
                 margin: int = 60, rules: bool = True) -> Image.Image:
    """A nutrition-style table: bold title, then rows with the name left and the amount right-aligned,
    each row under a thin horizontal rule (the layout that makes Tesseract's page segmentation skip
    the amounts)."""
    body, bold = font(font_size), font(font_size, bold=True)
    row_height = round(font_size * 1.8)
    img = Image.new("RGB", (width, 2 * margin + row_height * (len(rows) + 1)), "white")
    draw = ImageDraw.Draw(img)
    draw.text((margin, margin), title, font=bold, fill=0)
    y = margin + row_height
    for name, amount in rows:
        rule_y = y - font_size // 3
        if rules:
            draw.line((margin, rule_y, width - margin, rule_y), fill=(90, 90, 90), width=2)
        draw.text((margin, y), name, font=body, fill=0)
        draw.text((width - margin - body.getlength(amount), y), amount, font=body, fill=0)
        y += row_height
    return img


def stack(*images: Image.Image, gap: int = 0) -> Image.Image:
    """Images one under the other on white, left-aligned."""
    width = max(img.width for img in images)
    out = Image.new("RGB", (width, sum(img.height for img in images) + gap * (len(images) - 1)), "white")
    y = 0
    for img in images:
        out.paste(img.convert("RGB"), (0, y))
        y += img.height + gap
    return out
