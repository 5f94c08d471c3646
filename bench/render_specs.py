#!/usr/bin/env python3
"""Render label spec YAMLs into test images like the development corpus renders.

Usage:
  python bench/render_specs.py SPEC_DIR OUT_DIR [--variants clean,photo,hard] [--ids h01,h02]

For every SPEC_DIR/<id>.yaml (see ../shared/corpus/README.md for the format) writes:
  <id>.clean.png  flat sharp print: big bold title, bold headings, wrapped body text,
                  table rows with the value right-aligned, smaller small print
  <id>.photo.jpg  the print on a wood-like table: perspective tilt of a few degrees,
                  uneven light, slight blur, JPEG quality 80
  <id>.hard.jpg   the print wrapped round a bottle (cylindrical warp), a glare ellipse,
                  and every second label (even id number) saved rotated by 90 degrees
  <id>.scan.jpg   (only when asked for) a slightly skewed, blurred flatbed scan

Everything is deterministic: the random generator is seeded from the spec id, so the same
spec always gives the same bytes with the same library versions.
Needs Pillow, numpy, opencv-python-headless and PyYAML. Fonts: DejaVu from
/usr/share/fonts/truetype/dejavu/ (apt-get install fonts-dejavu-core), else PIL's default font.
"""
from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import yaml
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FAMILIES = {
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
    "condensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
}
VARIANTS = ("clean", "scan", "photo", "hard")
DEFAULT_VARIANTS = "clean,photo,hard"

# print palettes: (background, title colour, text colour, rule colour)
PALETTES = [
    ((255, 255, 255), (28, 72, 140), (20, 20, 20), (60, 60, 60)),
    ((250, 247, 238), (120, 46, 30), (25, 22, 20), (90, 80, 70)),
    ((228, 248, 245), (176, 52, 130), (22, 22, 22), (70, 70, 70)),
    ((246, 250, 240), (40, 110, 60), (18, 30, 18), (70, 90, 70)),
    ((255, 252, 245), (20, 20, 20), (30, 30, 30), (40, 40, 40)),
    ((240, 244, 252), (12, 60, 110), (15, 25, 40), (60, 70, 90)),
]


def seed_for(spec_id: str, salt: str = "") -> int:
    return int.from_bytes(hashlib.sha256(f"{spec_id}:{salt}".encode()).digest()[:8], "big")


def rng_for(spec_id: str, salt: str) -> np.random.Generator:
    return np.random.default_rng(seed_for(spec_id, salt))


# ------------------------------------------------------------------ fonts
_font_cache: dict[tuple, ImageFont.ImageFont] = {}


def get_font(family: str, bold: bool, size: int) -> ImageFont.ImageFont:
    key = (family, bold, size)
    if key not in _font_cache:
        regular, boldname = FAMILIES.get(family, FAMILIES["sans"])
        path = FONT_DIR / (boldname if bold else regular)
        try:
            font = ImageFont.truetype(str(path), size)
        except OSError:
            try:
                font = ImageFont.load_default(size=size)  # Pillow >= 10.1
            except TypeError:
                font = ImageFont.load_default()
        _font_cache[key] = font
    return _font_cache[key]


def text_width(font: ImageFont.ImageFont, text: str) -> float:
    try:
        return font.getlength(text)
    except AttributeError:  # very old Pillow bitmap font
        return font.getsize(text)[0]


def line_height(font: ImageFont.ImageFont) -> int:
    try:
        ascent, descent = font.getmetrics()
        return ascent + descent
    except AttributeError:
        return font.getbbox("Ag")[3]


def wrap(text: str, font: ImageFont.ImageFont, width: float) -> list[str]:
    """Greedy word wrap by pixel width; a word longer than the line is split."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        words = para.split()
        cur = ""
        for w in words:
            cand = f"{cur} {w}" if cur else w
            if text_width(font, cand) <= width:
                cur = cand
                continue
            if cur:
                lines.append(cur)
            while text_width(font, w) > width and len(w) > 1:  # hard split very long words
                cut = len(w)
                while cut > 1 and text_width(font, w[:cut]) > width:
                    cut -= 1
                lines.append(w[:cut])
                w = w[cut:]
            cur = w
        lines.append(cur)
    return lines


# ------------------------------------------------------------------ clean print
@dataclass
class Style:
    family: str
    bg: tuple
    title: tuple
    ink: tuple
    rule: tuple
    width: int
    margin: int
    title_align: str  # center | left


def pick_style(spec_id: str) -> Style:
    r = rng_for(spec_id, "style")
    bg, title, ink, rule = PALETTES[int(r.integers(len(PALETTES)))]
    family = ("sans", "serif", "sans", "condensed")[int(r.integers(4))]
    width = int(r.integers(1180, 1400))
    return Style(family=family, bg=bg, title=title, ink=ink, rule=rule, width=width,
                 margin=int(r.integers(56, 80)), title_align="center" if r.random() < 0.5 else "left")


def render_clean(spec: dict) -> Image.Image:
    sid = str(spec.get("id", "x"))
    st = pick_style(sid)
    w, m = st.width, st.margin
    inner = w - 2 * m
    # draw on a tall canvas, crop afterwards
    canvas = Image.new("RGB", (w, 8000), st.bg)
    d = ImageDraw.Draw(canvas)
    y = m
    sizes = {"title": 62, "subtitle": 36, "heading": 32, "body": 29, "table": 29, "small": 22}
    prev = None
    for block in spec.get("blocks") or []:
        style = block.get("style", "body")
        if style == "title":
            font = get_font(st.family, True, sizes["title"])
            lines = wrap(block.get("text", ""), font, inner)
            # shrink a title that needs more than two lines
            size = sizes["title"]
            while len(lines) > 2 and size > 36:
                size -= 4
                font = get_font(st.family, True, size)
                lines = wrap(block.get("text", ""), font, inner)
            for ln in lines:
                x = m if st.title_align == "left" else (w - text_width(font, ln)) / 2
                d.text((x, y), ln, font=font, fill=st.title)
                y += int(line_height(font) * 1.05)
            y += 14
        elif style == "subtitle":
            font = get_font(st.family, False, sizes["subtitle"])
            for ln in wrap(block.get("text", ""), font, inner):
                x = m if st.title_align == "left" else (w - text_width(font, ln)) / 2
                d.text((x, y), ln, font=font, fill=st.ink)
                y += int(line_height(font) * 1.12)
            y += 22
        elif style == "heading":
            if prev not in (None, "title", "subtitle"):
                y += 10
            font = get_font(st.family, True, sizes["heading"])
            for ln in wrap(block.get("text", ""), font, inner):
                d.text((m, y), ln, font=font, fill=st.ink)
                y += int(line_height(font) * 1.1)
            y += 4
        elif style == "table":
            y = draw_table(d, block.get("rows") or [], st, m, y, inner, sizes["table"])
            y += 14
        else:  # body, small and anything unknown
            size = sizes["small"] if style == "small" else sizes["body"]
            font = get_font(st.family, False, size)
            for ln in wrap(block.get("text", ""), font, inner):
                d.text((m, y), ln, font=font, fill=st.ink)
                y += int(line_height(font) * 1.18)
            y += 12 if style == "small" else 16
        prev = style
    h = y + m
    return canvas.crop((0, 0, w, h))


def draw_table(d: ImageDraw.ImageDraw, rows: list, st: Style, x0: int, y: int, inner: int, size: int) -> int:
    regular = get_font(st.family, False, size)
    bold = get_font(st.family, True, size)
    lh = int(line_height(regular) * 1.1)
    pad = 10
    d.line([(x0, y), (x0 + inner, y)], fill=st.rule, width=2)
    y += pad
    for i, row in enumerate(rows):
        cells = [str(c) for c in (list(row) + ["", ""])[:2]]
        name, value = cells
        font = bold if i == 0 else regular
        vw = text_width(font, value) if value else 0
        name_w = max(inner * 0.45, inner - vw - 80)  # keep a gap between name and value
        name_lines = wrap(name.strip(), font, name_w) if name.strip() else [""]
        indent = 24 if name.startswith(" ") else 0
        for j, ln in enumerate(name_lines):
            d.text((x0 + indent, y + j * lh), ln, font=font, fill=st.ink)
        if value:
            d.text((x0 + inner - vw, y), value, font=font, fill=st.ink)
        y += lh * len(name_lines) + pad
        d.line([(x0, y), (x0 + inner, y)], fill=st.rule, width=2 if i == len(rows) - 1 else 1)
        y += pad
    return y


# ------------------------------------------------------------------ helpers for the photo-like variants
def to_np(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"), dtype=np.float32)


def to_img(arr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def wood_texture(h: int, w: int, r: np.random.Generator) -> np.ndarray:
    """Wood-like background: planks with wavy grain, knots of darker colour, fine noise."""
    base = np.array(r.choice([[120, 78, 48], [150, 104, 66], [96, 62, 40], [170, 128, 86]]), np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = r.uniform(-0.5, 0.5)
    u = xx * np.cos(angle) + yy * np.sin(angle)  # along the grain
    v = -xx * np.sin(angle) + yy * np.cos(angle)  # across the grain
    low = cv2.resize(r.normal(0, 1, (max(2, h // 160), max(2, w // 160))).astype(np.float32), (w, h),
                     interpolation=cv2.INTER_CUBIC)
    # long grain lines across the planks, gently wavy; a second finer set of lines on top
    grain = (0.7 * np.sin(v / r.uniform(6, 10) + low * 1.2 + np.sin(u / r.uniform(300, 600)) * 0.8)
             + 0.3 * np.sin(v / r.uniform(1.5, 2.5) + low * 3.0))
    fine = cv2.GaussianBlur(r.normal(0, 1, (h, w)).astype(np.float32), (0, 0), sigmaX=6, sigmaY=0.8)
    plank_w = r.uniform(140, 260)
    seams = (np.mod(v, plank_w) < 3).astype(np.float32)
    plank_shade = np.floor(v / plank_w)
    plank_shade = np.sin(plank_shade * 12.9898) * 0.08  # a fixed shade per plank
    factor = 1 + 0.10 * grain + 0.05 * fine + plank_shade[...] - 0.35 * seams
    tex = base[None, None, :] * factor[..., None]
    tex += r.normal(0, 3, (h, w, 1)).astype(np.float32)
    return np.clip(tex, 0, 255)


def light_gradient(h: int, w: int, r: np.random.Generator, lo: float, hi: float) -> np.ndarray:
    """Uneven light: a linear ramp in a random direction plus a soft vignette."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a = r.uniform(0, 2 * np.pi)
    t = (xx / w - 0.5) * np.cos(a) + (yy / h - 0.5) * np.sin(a)
    t = (t - t.min()) / max(1e-6, t.max() - t.min())
    ramp = lo + (hi - lo) * t
    cx, cy = r.uniform(0.3, 0.7) * w, r.uniform(0.3, 0.7) * h
    dist = np.sqrt(((xx - cx) / w) ** 2 + ((yy - cy) / h) ** 2)
    vignette = 1 - 0.35 * np.clip(dist - 0.25, 0, None)
    return (ramp * vignette)[..., None]


def paste_warped(bg: np.ndarray, label: np.ndarray, mask: np.ndarray, matrix: np.ndarray,
                 shadow_offset: tuple[int, int], shadow_blur: float) -> np.ndarray:
    """Warp label (and its mask) into bg with a soft drop shadow."""
    h, w = bg.shape[:2]
    warped = cv2.warpPerspective(label, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    wmask = cv2.warpPerspective(mask, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    shift = np.float32([[1, 0, shadow_offset[0]], [0, 1, shadow_offset[1]]])
    shadow = cv2.warpAffine(wmask, shift, (w, h))
    shadow = cv2.GaussianBlur(shadow, (0, 0), shadow_blur)
    out = bg * (1 - 0.45 * shadow[..., None])
    out = out * (1 - wmask[..., None]) + warped * wmask[..., None]
    return out


def jpeg(img: Image.Image, path: Path, quality: int = 80) -> None:
    img.save(path, "JPEG", quality=quality, optimize=False, subsampling=2)


def add_noise(arr: np.ndarray, r: np.random.Generator, sigma: float) -> np.ndarray:
    return arr + r.normal(0, sigma, arr.shape).astype(np.float32)


# ------------------------------------------------------------------ variants
def render_photo(clean: Image.Image, sid: str) -> Image.Image:
    r = rng_for(sid, "photo")
    lab = to_np(clean)
    lh, lw = lab.shape[:2]
    padx, pady = int(lw * r.uniform(0.12, 0.2)), int(lh * r.uniform(0.1, 0.18))
    W, H = lw + 2 * padx, lh + 2 * pady
    bg = wood_texture(H, W, r)
    src = np.float32([[0, 0], [lw, 0], [lw, lh], [0, lh]])
    # rotate a few degrees about the centre, then pull the corners for perspective
    ang = np.deg2rad(r.uniform(2.5, 6.0) * r.choice([-1, 1]))
    c = np.float32([lw / 2, lh / 2])
    rot = np.float32([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    dst = (src - c) @ rot.T + c + np.float32([padx, pady])
    # perspective: one edge further from the camera than the other
    k = r.uniform(0.03, 0.07)
    if r.random() < 0.5:  # top edge farther away
        dst[0, 0] += k * lw
        dst[1, 0] -= k * lw
    else:  # right edge farther away
        dst[1, 1] += k * lh
        dst[2, 1] -= k * lh
    dst += r.uniform(-0.012, 0.012, (4, 2)).astype(np.float32) * np.float32([lw, lh])
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    mask = np.ones((lh, lw), np.float32)
    out = paste_warped(bg, lab, mask, m, (int(r.integers(8, 20)), int(r.integers(10, 24))), 12)
    out *= light_gradient(H, W, r, r.uniform(0.72, 0.85), r.uniform(1.0, 1.1))
    out = cv2.GaussianBlur(out, (0, 0), r.uniform(0.7, 1.1))
    out = add_noise(out, r, 2.5)
    return to_img(out)


def render_scan(clean: Image.Image, sid: str) -> Image.Image:
    r = rng_for(sid, "scan")
    lab = to_np(clean)
    lh, lw = lab.shape[:2]
    pad = int(lw * 0.06)
    W, H = lw + 2 * pad, lh + 2 * pad
    bg = np.full((H, W, 3), 236, np.float32) + r.normal(0, 2, (H, W, 1)).astype(np.float32)
    ang = r.uniform(-1.5, 1.5)
    m = cv2.getRotationMatrix2D((lw / 2, lh / 2), ang, 1.0)
    m[:, 2] += pad
    m3 = np.vstack([m, [0, 0, 1]]).astype(np.float32)
    out = paste_warped(bg, lab, np.ones((lh, lw), np.float32), m3, (3, 3), 4)
    out *= light_gradient(H, W, r, 0.93, 1.02)
    out = cv2.GaussianBlur(out, (0, 0), r.uniform(0.8, 1.2))
    out = add_noise(out, r, 3)
    return to_img(out)


def cylinder_warp(lab: np.ndarray, r: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Wrap the print round a vertical cylinder seen from the front (orthographic).

    A point at arc length s from the label centre lands at x = R sin(s / R); the label spans
    +-theta_max of the bottle. Edges get darker (cos shading) and the top and bottom lines
    bow like the rim of a bottle seen slightly from above.
    """
    lh, lw = lab.shape[:2]
    theta_max = np.deg2rad(r.uniform(55, 72))
    R = (lw / 2) / theta_max
    out_w = int(2 * R * np.sin(theta_max))
    bow = lh * r.uniform(0.012, 0.025)  # vertical sag at the edges
    out_h = int(lh + 2 * bow)
    xs = (np.arange(out_w, dtype=np.float32) - out_w / 2) / R
    xs = np.clip(xs, -np.sin(theta_max), np.sin(theta_max))
    theta = np.arcsin(xs)  # angle on the cylinder for each output column
    src_x = lw / 2 + theta * R
    ys = np.arange(out_h, dtype=np.float32) - bow
    sag = bow * (1 - np.cos(theta))  # per column
    map_x = np.repeat(src_x[None, :], out_h, axis=0).astype(np.float32)
    # rows bow the same way (ellipse seen from above): y_src = y_dst - sag
    map_y = (ys[:, None] - sag[None, :]).astype(np.float32)
    warped = cv2.remap(lab, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    mask = cv2.remap(np.ones((lh, lw), np.float32), map_x, map_y, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    shade = (0.55 + 0.45 * np.cos(theta))[None, :, None]
    return warped * shade, mask


def glare(h: int, w: int, r: np.random.Generator) -> np.ndarray:
    """A soft bright ellipse (specular highlight) with Gaussian falloff."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = r.uniform(0.3, 0.7) * w, r.uniform(0.25, 0.6) * h
    ax, ay = r.uniform(0.06, 0.12) * w, r.uniform(0.15, 0.3) * h
    a = np.deg2rad(r.uniform(-20, 20))
    dx, dy = xx - cx, yy - cy
    u = (dx * np.cos(a) + dy * np.sin(a)) / ax
    v = (-dx * np.sin(a) + dy * np.cos(a)) / ay
    return np.exp(-(u ** 2 + v ** 2) * 1.6) * r.uniform(0.75, 0.95)


def should_rotate(sid: str) -> bool:
    """Every second label: ids whose number is even (h02, h04 ...); ids without a number by hash."""
    m = re.search(r"(\d+)\s*$", sid)
    return (int(m.group(1)) % 2 == 0) if m else bool(seed_for(sid, "rot") & 1)


def render_hard(clean: Image.Image, sid: str) -> Image.Image:
    r = rng_for(sid, "hard")
    lab = to_np(clean)
    cyl, mask = cylinder_warp(lab, r)
    g = glare(*mask.shape, r)
    cyl = cyl + (255 - cyl) * g[..., None] * mask[..., None]
    ch, cw = mask.shape
    padx, pady = int(cw * r.uniform(0.2, 0.3)), int(ch * r.uniform(0.08, 0.14))
    W, H = cw + 2 * padx, ch + 2 * pady
    bg = wood_texture(H, W, r)
    # blurred coloured blobs: out-of-focus things on the table
    blobs = np.zeros((H, W, 3), np.float32)
    for _ in range(int(r.integers(2, 5))):
        x, y = int(r.uniform(0, W)), int(r.uniform(0, H))
        col = r.uniform(60, 220, 3)
        cv2.ellipse(blobs, (x, y), (int(r.uniform(0.08, 0.2) * W), int(r.uniform(0.08, 0.2) * H)),
                    0, 0, 360, tuple(float(c) for c in col), -1)
    bmask = (blobs.sum(axis=2) > 0).astype(np.float32)
    blobs = cv2.GaussianBlur(blobs, (0, 0), 40)
    bmask = cv2.GaussianBlur(bmask, (0, 0), 40)[..., None] * 0.6
    bg = bg * (1 - bmask) + blobs / np.maximum(bmask / 0.6, 1e-3) * bmask
    ang = r.uniform(-8, 8)
    m = cv2.getRotationMatrix2D((cw / 2, ch / 2), ang, 1.0)
    m[:, 2] += (padx, pady)
    m3 = np.vstack([m, [0, 0, 1]]).astype(np.float32)
    out = paste_warped(bg, cyl.astype(np.float32), mask.astype(np.float32), m3,
                       (int(r.integers(10, 26)), int(r.integers(8, 20))), 16)
    out *= light_gradient(H, W, r, r.uniform(0.7, 0.82), r.uniform(1.0, 1.08))
    out = cv2.GaussianBlur(out, (0, 0), r.uniform(0.9, 1.3))
    out = add_noise(out, r, 3)
    img = to_img(out)
    if should_rotate(sid):
        img = img.transpose(Image.Transpose.ROTATE_90 if r.random() < 0.5 else Image.Transpose.ROTATE_270)
    return img


# ------------------------------------------------------------------ driver
def render_spec(spec: dict, out_dir: Path, variants: list[str]) -> list[Path]:
    sid = str(spec["id"])
    clean = render_clean(spec)
    written = []
    for v in variants:
        if v == "clean":
            p = out_dir / f"{sid}.clean.png"
            clean.save(p, "PNG")
        elif v == "photo":
            p = out_dir / f"{sid}.photo.jpg"
            jpeg(render_photo(clean, sid), p)
        elif v == "hard":
            p = out_dir / f"{sid}.hard.jpg"
            jpeg(render_hard(clean, sid), p)
        elif v == "scan":
            p = out_dir / f"{sid}.scan.jpg"
            jpeg(render_scan(clean, sid), p, quality=85)
        else:
            raise ValueError(f"unknown variant {v!r}")
        written.append(p)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--variants", default=DEFAULT_VARIANTS,
                    help=f"comma-separated, from {','.join(VARIANTS)} (default {DEFAULT_VARIANTS})")
    ap.add_argument("--ids", help="only these ids (comma-separated)")
    args = ap.parse_args(argv)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    bad = [v for v in variants if v not in VARIANTS]
    if bad:
        ap.error(f"unknown variants {bad}; choose from {VARIANTS}")
    spec_dir, out_dir = Path(args.spec_dir), Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = sorted(spec_dir.glob("*.yaml"))
    if args.ids:
        wanted = set(args.ids.split(","))
        paths = [p for p in paths if p.stem in wanted]
    if not paths:
        print(f"no spec YAMLs in {spec_dir}", file=sys.stderr)
        return 2
    n = 0
    for p in paths:
        spec = yaml.safe_load(p.read_text(encoding="utf-8"))
        if not isinstance(spec, dict) or "blocks" not in spec:
            print(f"skip {p.name}: not a label spec", file=sys.stderr)
            continue
        spec.setdefault("id", p.stem)
        for w in render_spec(spec, out_dir, variants):
            print(w)
            n += 1
    print(f"{n} images written to {out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
