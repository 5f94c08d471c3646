"""Render label text to images (and small image transforms) for the OCR and pipeline tests."""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
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


# ---------------------------------------------------------------- phone-photo effects (numpy/OpenCV)
def _rgb_array(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"), dtype=np.float32)


def wood(width: int, height: int, *, seed: int = 1) -> np.ndarray:
    """A brown table top with grain (float RGB array): the texture that upsets Tesseract's layout."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    wobble = 18 * np.sin(x / 97.0 + rng.uniform(0, 6)) + 7 * np.sin(x / 23.0)
    grain = np.sin((y + wobble) / 5.5) * 0.5 + np.sin((y + wobble) / 1.7) * 0.2
    noise = cv2.GaussianBlur(rng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), 2.0)
    shade = 0.78 + 0.12 * grain + 0.06 * noise
    base = np.array([150.0, 98.0, 60.0], dtype=np.float32)
    return np.clip(shade[..., None] * base, 0, 255)


def cloth(width: int, height: int, *, seed: int = 2) -> np.ndarray:
    """A woven grey-blue cloth (float RGB array): fine regular texture with letter-sized cells."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    weave = np.sin(x / 2.2) * np.sin(y / 2.2) * 14 + rng.normal(0, 6, (height, width))
    return np.clip(np.array([95.0, 105.0, 120.0]) + weave[..., None], 0, 255).astype(np.float32)


def photograph(label: Image.Image, *, background: str = "wood", tilt: float = 0.0, perspective: float = 0.0,
               curve: float = 0.0, glare: float = 0.0, contrast: float = 1.0, blur: float = 0.8,
               light: float = 0.0, turn: int = 0, seed: int = 7) -> Image.Image:
    """A phone photo of a printed label lying on a table, made from a rendered label.

    tilt: degrees the label is turned on the table; perspective: 0..0.3, how much further the top
    edge is than the bottom (keystone); curve: the label bows like a label round a bottle (the
    middle of every line this share of the label height lower than its ends); glare: 0..1 strength
    of a bright highlight; contrast: print contrast (1 = as rendered); light: 0..1 strength of a
    shading gradient across the picture; blur: Gaussian sigma in px; turn: the picture saved turned
    counter-clockwise by this many degrees (90, 180, 270) with no EXIF tag to undo it.
    """
    rng = np.random.default_rng(seed)
    lab = _rgb_array(label)
    if contrast != 1.0:
        paper = np.percentile(lab, 90, axis=(0, 1))
        lab = paper - (paper - lab) * contrast
    h, w = lab.shape[:2]
    if curve:
        pad = int(curve * h) + 2
        lab = cv2.copyMakeBorder(lab, pad, pad, 0, 0, cv2.BORDER_CONSTANT, value=(-1, -1, -1))
        h = lab.shape[0]
        xs = np.linspace(-1, 1, w, dtype=np.float32)
        sag = curve * (h - 2 * pad) * (1 - xs ** 2)  # the middle of a line lower than its ends
        map_x = np.tile(np.arange(w, dtype=np.float32), (h, 1))
        map_y = np.arange(h, dtype=np.float32)[:, None] + (sag.max() - sag)[None, :] - pad / 2
        lab = cv2.remap(lab, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                        borderValue=(-1, -1, -1))
    mask = (lab[..., 0] >= 0).astype(np.float32)
    lab = np.clip(lab, 0, 255)
    side = int(1.5 * max(w, h))
    canvas_w, canvas_h = side, int(side * 0.9)
    bg = wood(canvas_w, canvas_h, seed=seed) if background == "wood" else (
        cloth(canvas_w, canvas_h, seed=seed) if background == "cloth"
        else np.full((canvas_h, canvas_w, 3), 205.0, dtype=np.float32))
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    cx, cy = canvas_w / 2, canvas_h / 2
    inset = perspective * w / 2
    dst = np.array([[-w / 2 + inset, -h / 2], [w / 2 - inset, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]],
                   dtype=np.float32)
    angle = np.radians(tilt)
    rot = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]], dtype=np.float32)
    dst = dst @ rot.T + np.array([cx, cy], dtype=np.float32) + rng.uniform(-10, 10, (4, 2)).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(lab, matrix, (canvas_w, canvas_h), flags=cv2.INTER_LINEAR)
    wmask = cv2.warpPerspective(mask, matrix, (canvas_w, canvas_h), flags=cv2.INTER_LINEAR)
    shadow = cv2.GaussianBlur(np.roll(wmask, (12, 9), axis=(0, 1)), (0, 0), 8)[..., None]
    wmask = wmask[..., None]
    out = bg * (1 - 0.45 * shadow) * (1 - wmask) + warped * wmask
    yy, xx = np.mgrid[0:canvas_h, 0:canvas_w].astype(np.float32)
    if light:
        out *= (1 - light * 0.6 * (xx / canvas_w))[..., None]
    if glare:
        gx, gy = cx + rng.uniform(-0.15, 0.15) * w, cy + rng.uniform(-0.2, 0.2) * h
        spot = np.exp(-(((xx - gx) / (0.22 * w)) ** 2 + ((yy - gy) / (0.12 * h)) ** 2))
        out = out + (255 - out) * (glare * spot)[..., None]
    out = cv2.GaussianBlur(out, (0, 0), blur) if blur else out
    out = np.clip(out + rng.normal(0, 2.0, out.shape), 0, 255).astype(np.uint8)
    if turn % 360:
        out = np.ascontiguousarray(np.rot90(out, (turn // 90) % 4))
    return Image.fromarray(out, "RGB")
