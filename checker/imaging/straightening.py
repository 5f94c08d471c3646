"""Step 1c: straighten a photo (label outline, perspective, rotation, curvature) and list the
from __future__ import annotations

preparations OCR tries, best first."""

import functools
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from checker.imaging import geometry
from checker.imaging.preparation import (
    TARGET_TEXT_HEIGHT,
    PreparedImage,
    choose_scale,
    estimate_text_height,
    find_glyphs,
    flatten_light,
    normalise_contrast,
    prepare,
    resize,
    to_gray,
)

# ---------------------------------------------------------------- straightening photos
ANALYSIS_LONG_SIDE = 1200  # px: the label, text direction and line shapes are found on a copy this long
MIN_TEXT_BLOBS = 20  # fewer letter- or word-shaped blobs: no text to straighten by
UPRIGHT_MARGIN = 0.15  # |upright score| below this: 0 and 180 degrees cannot be told apart
MIN_WOBBLE = 0.05  # x the text height: lines straying less than this from level are left as they are
MIN_WOBBLE_PX = 0.8
MAX_WOBBLE_LEFT = 0.7  # a line field must take away at least 30 % of the lines' straying to be used
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
