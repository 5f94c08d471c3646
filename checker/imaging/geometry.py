"""Geometry of label photos (OpenCV): find the label, undo perspective, rotation, skew and curvature."""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

ANALYSIS_SIDE = 1200  # px: default long side of the copies the measuring is done on
MIN_LABEL_SHARE = 0.08  # of the image area: a smaller bright shape is not the label
MAX_LABEL_SHARE = 0.97  # larger: the label fills the frame (a scan), nothing to crop
MIN_TEXT_INSIDE = 0.85  # share of the text blobs a label outline must enclose
TEXT_INSIDE_TIE = 0.02  # outlines holding this nearly as much text count as holding as much
LABEL_MARGIN = 0.04  # of the label's size kept around its outline (bands and borders at its edge)
BAND_REACH = 0.25  # of the label's size: how far beyond its outline a title bar is looked for
BAND_COLOUR_DISTANCE = 18.0  # Lab units: pixels this close to a colour count as that colour
BAND_MIN_SHARE = 0.4  # of a row not paper-coloured: the band's own colour (the rest is its letters)
BAND_UNIFORM = 0.9  # of a band row in the band colour, paper-coloured letters or a blend of the two
BAND_SKIP = 0.03  # of the label's size: paper between its outline and a band
LIGHT_SCALE = 5  # the light's slow change is taken over 1/5 of the picture's size
MIN_SKEW = 0.4  # degrees: straighter than this is left alone
MAX_CURVE_SAG = 0.25  # of the text height: a line field that moves lines less than this is not applied


# ---------------------------------------------------------------- mapping back to input pixels
@dataclass(frozen=True)
class PointMap:
    """Maps points of a derived image back to the image it came from; steps run last-applied first."""

    steps: tuple = field(default_factory=tuple)

    def then(self, step: object) -> PointMap:
        """This map preceded by one more transformation applied to the image after the others."""
        return PointMap((step, *self.steps))

    def __call__(self, points: np.ndarray) -> np.ndarray:
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        for step in self.steps:
            pts = step(pts)
        return pts


@dataclass(frozen=True)
class Scale:
    """out = in * factor (per axis)."""

    fx: float
    fy: float

    def __call__(self, pts: np.ndarray) -> np.ndarray:
        return pts / np.array([self.fx, self.fy])


@dataclass(frozen=True)
class Homography:
    """out = H(in); holds the inverse (out -> in) that points are mapped through."""

    inverse: np.ndarray

    def __call__(self, pts: np.ndarray) -> np.ndarray:
        return cv2.perspectiveTransform(pts.reshape(-1, 1, 2), self.inverse).reshape(-1, 2)


@dataclass(frozen=True)
class Remap:
    """out(x, y) = in(map_x[y, x], map_y[y, x]) as cv2.remap does; points are looked up in the maps."""

    map_x: np.ndarray
    map_y: np.ndarray

    def __call__(self, pts: np.ndarray) -> np.ndarray:
        h, w = self.map_x.shape
        xs = np.clip(np.rint(pts[:, 0]).astype(int), 0, w - 1)
        ys = np.clip(np.rint(pts[:, 1]).astype(int), 0, h - 1)
        return np.stack([self.map_x[ys, xs], self.map_y[ys, xs]], axis=1).astype(np.float64)


@dataclass(frozen=True)
class QuarterTurns:
    """out = np.rot90(in, turns) (counter-clockwise); size is (w, h) of `in`. Points are pixel edges."""

    turns: int
    size: tuple[int, int]

    def __call__(self, pts: np.ndarray) -> np.ndarray:
        w, h = self.size
        x, y = pts[:, 0], pts[:, 1]
        turns = self.turns % 4
        if turns == 1:
            return np.stack([w - y, x], axis=1)
        if turns == 2:
            return np.stack([w - x, h - y], axis=1)
        if turns == 3:
            return np.stack([y, h - x], axis=1)
        return pts


def box_to_input(box: tuple[int, int, int, int], mapping: PointMap, size: tuple[int, int]
                 ) -> tuple[int, int, int, int]:
    """The bounding rectangle, in input pixels, of a box (x, y, w, h) of a derived image."""
    x, y, w, h = box
    corners = np.array([[x, y], [x + w, y], [x, y + h], [x + w, y + h]], dtype=np.float64)
    pts = mapping(corners)
    x0, y0 = np.floor(pts.min(axis=0)).astype(int)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    x0, y0 = max(0, int(x0)), max(0, int(y0))
    x1, y1 = min(size[0], int(x1)), min(size[1], int(y1))
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


# ---------------------------------------------------------------- finding the label
def downscale(arr: np.ndarray, long_side: int = ANALYSIS_SIDE) -> tuple[np.ndarray, float]:
    """A copy no longer than `long_side` (area averaging) and its scale (copy px per input px)."""
    h, w = arr.shape[:2]
    factor = min(1.0, long_side / max(h, w))
    if factor >= 1.0:
        return arr, 1.0
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return cv2.resize(arr, size, interpolation=cv2.INTER_AREA), factor


def ink_mask(gray: np.ndarray, light_on_dark: bool = False) -> np.ndarray:
    """Dark print on lighter ground (or the reverse) by a local threshold, as 0/255."""
    block = max(15, (min(gray.shape) // 30) | 1)
    if light_on_dark:
        return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, -15)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def text_blobs(ink: np.ndarray) -> np.ndarray:
    """Boxes (x, y, w, h) of ink components shaped like letters or words, in any direction.

    Blurred photos merge letters into words, so words count too; long thin strokes (wood grain,
    table rules) and big blots do not.
    """
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    boxes = stats[1:, :4].astype(np.float64)
    widths, heights, areas = boxes[:, 2], boxes[:, 3], stats[1:, cv2.CC_STAT_AREA]
    short, long = np.minimum(widths, heights), np.maximum(widths, heights)
    fill = areas / np.maximum(1, widths * heights)
    keep = ((short >= 4) & (long <= max(ink.shape) / 4) & (short <= min(ink.shape) / 10)
            & (long <= 12 * short) & (fill > 0.15) & (fill < 0.95) & (areas >= 12))
    return boxes[keep]


def letter_ink(gray: np.ndarray, text_height: float) -> np.ndarray:
    """The ink mask (bool) keeping only components of about letter height: no rules, specks or blots."""
    h = max(3.0, text_height)
    ink = ink_mask(gray)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    short, long = np.minimum(widths, heights), np.maximum(widths, heights)
    keep = ((heights >= 0.3 * h) & (heights <= 2.5 * h) & (long <= 12 * short)
            & (stats[:, cv2.CC_STAT_AREA] >= 0.05 * h * h))
    keep[0] = False
    return keep[labels]


def text_region(boxes: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Centres of the letter boxes that lie among many others (a texture speck usually does not)."""
    if len(boxes) == 0:
        return np.zeros((0, 2))
    centres = boxes[:, :2] + boxes[:, 2:] / 2
    height = float(np.median(np.minimum(boxes[:, 2], boxes[:, 3])))
    grid = np.zeros(shape, np.float32)
    xs = np.clip(centres[:, 0].astype(int), 0, shape[1] - 1)
    ys = np.clip(centres[:, 1].astype(int), 0, shape[0] - 1)
    np.add.at(grid, (ys, xs), 1.0)
    radius = max(3, int(8 * height)) | 1
    density = cv2.boxFilter(grid, -1, (radius, radius), normalize=False)
    return centres[density[ys, xs] >= 4]


def _paper_colour_distance(rgb: np.ndarray, seeds: np.ndarray, text_height: float) -> np.ndarray:
    """Per pixel, how far (Lab) its text-free colour is from the paper colour around the text."""
    size = max(3, int(2.5 * text_height)) | 1
    closed = cv2.morphologyEx(rgb, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    lab = cv2.cvtColor(closed, cv2.COLOR_RGB2LAB).astype(np.float32)
    xs, ys = seeds[:, 0].astype(int), seeds[:, 1].astype(int)
    paper = np.median(lab[ys, xs], axis=0)
    diff = lab - paper
    return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))  # the Euclidean norm, several times faster


def _intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """Where the line through edge a (2x2) meets the line through edge b, or None if parallel."""
    d1, d2 = a[1] - a[0], b[1] - b[0]
    denominator = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(denominator) < 1e-9:
        return None
    t = ((b[0][0] - a[0][0]) * d2[1] - (b[0][1] - a[0][1]) * d2[0]) / denominator
    return a[0] + t * d1


def _pushed_out(side: np.ndarray, points: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """The edge moved along its outward normal until every point lies on its inner side."""
    direction = side[1] - side[0]
    normal = np.array([-direction[1], direction[0]]) / max(1e-9, float(np.linalg.norm(direction)))
    if (centre - side[0]) @ normal > 0:
        normal = -normal
    beyond = float(((points - side[0]) @ normal).max())
    return side + max(0.0, beyond) * normal


def _quad_of(mask: np.ndarray) -> np.ndarray | None:
    """Four corners of the largest blob of a mask, from the lines of the longest straight edge on each side.

    The outline is simplified to a polygon; its edges fall into two families of direction (the
    label's horizontal and vertical sides), each split into the two sides by position; the longest
    edge of each side gives that side's line. So a bump (a dark band partly taken for background, a
    finger) or a notch (glare) does not move the corners, as long as each side keeps a straight run.
    """
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    poly = cv2.approxPolyDP(contour, 0.01 * cv2.arcLength(contour, True), True).reshape(-1, 2)
    if len(poly) < 4:
        return None
    starts, ends = poly.astype(np.float64), np.roll(poly, -1, axis=0).astype(np.float64)
    vectors = ends - starts
    lengths = np.linalg.norm(vectors, axis=1)
    angles = np.degrees(np.arctan2(vectors[:, 1], vectors[:, 0])) % 180
    main = angles[np.argmax(lengths)]
    apart = np.abs((angles - main + 90) % 180 - 90)  # 0 = parallel to the longest edge, 90 = across
    centre = contour.reshape(-1, 2).mean(axis=0)
    sides = []
    for family, direction in ((apart < 30, main), (apart > 60, main + 90)):
        normal = np.array([-np.sin(np.radians(direction)), np.cos(np.radians(direction))])
        offset = ((starts + ends) / 2 - centre) @ normal
        for side in (family & (offset < 0), family & (offset > 0)):
            if not side.any():
                return None
            i = int(np.flatnonzero(side)[np.argmax(lengths[side])])
            sides.append(np.array([starts[i], ends[i]]))
    # move each side out past the farthest point of the outline, so that no part of the label (a
    # curved edge of a label round a bottle, a corner cut off by glare) falls outside the quad
    hull = cv2.convexHull(contour).reshape(-1, 2).astype(np.float64)
    sides = [_pushed_out(side, hull, centre) for side in sides]
    # sides: two of one family, then two of the other; corners where neighbouring sides meet
    order = (sides[0], sides[2], sides[1], sides[3])
    corners = [_intersection(order[i - 1], order[i]) for i in range(4)]
    if any(c is None for c in corners):
        return None
    quad = np.array(corners, dtype=np.float64)
    area, hull_area = cv2.contourArea(quad.astype(np.float32)), cv2.contourArea(hull.astype(np.float32))
    if not cv2.isContourConvex(quad.astype(np.float32)) or not 0.75 * hull_area <= area <= 1.3 * hull_area:
        return None
    return quad


def _segmentations(rgb: np.ndarray, seeds: np.ndarray, text_height: float) -> list[np.ndarray]:
    """Masks that may be the label: brighter than its surroundings, or of the paper's colour."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    size = max(3, int(2.5 * text_height)) | 1
    closed = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    # light falling off across the picture would split the label; divide out its slow change first
    tiny, _ = downscale(closed, 64)  # the light changes slowly: measure it on a tiny copy
    light = cv2.resize(cv2.GaussianBlur(tiny.astype(np.float32), (0, 0), 64 / LIGHT_SCALE),
                       (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    even = cv2.normalize(closed.astype(np.float32) / np.maximum(light, 1.0), None, 0, 255, cv2.NORM_MINMAX)
    _, bright = cv2.threshold(cv2.GaussianBlur(even.astype(np.uint8), (9, 9), 0), 0, 255,
                              cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    distance = _paper_colour_distance(rgb, seeds, text_height)
    scaled = np.clip(distance * 4, 0, 255).astype(np.uint8)
    _, paper = cv2.threshold(cv2.GaussianBlur(scaled, (9, 9), 0), 0, 255,
                             cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return [bright, paper]


def _blob_at(mask: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """The connected part of `mask` (text holes filled) holding most of the seed points."""
    size = max(3, min(mask.shape) // 60) | 1
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    _, labels = cv2.connectedComponents(mask)
    xs, ys = seeds[:, 0].astype(int), seeds[:, 1].astype(int)
    hits = labels[ys, xs]
    hits = hits[hits > 0]
    if len(hits) == 0:
        return np.zeros_like(mask)
    return np.where(labels == np.bincount(hits).argmax(), 255, 0).astype(np.uint8)


def _inside_share(quad: np.ndarray, points: np.ndarray) -> float:
    contour = quad.reshape(-1, 1, 2).astype(np.float32)
    inside = [cv2.pointPolygonTest(contour, (float(x), float(y)), False) >= 0 for x, y in points]
    return float(np.mean(inside)) if inside else 0.0


def find_label(rgb: np.ndarray, boxes: np.ndarray) -> np.ndarray | None:
    """Corners (4x2, in the pixels of `rgb`) of the label the text is printed on, or None.

    Tries a brightness and a paper-colour segmentation. Of the convex quadrilaterals that hold nearly
    all the text, those holding the most text win (an outline that cuts off a dim edge loses), and of
    those the smallest (one that also took in some table top loses); None when the label fills the
    frame or no outline is clear.
    """
    seeds = text_region(boxes, rgb.shape[:2])
    if len(seeds) < 20:
        return None
    text_height = float(np.median(np.minimum(boxes[:, 2], boxes[:, 3])))
    area = rgb.shape[0] * rgb.shape[1]
    found: list[tuple[float, float, np.ndarray]] = []  # (text inside, area share, quad)
    for mask in _segmentations(rgb, seeds, text_height):
        quad = _quad_of(_blob_at(mask, seeds))
        if quad is None:
            continue
        share = cv2.contourArea(quad.astype(np.float32)) / area
        inside = _inside_share(quad, seeds)
        if MIN_LABEL_SHARE <= share <= MAX_LABEL_SHARE and inside >= MIN_TEXT_INSIDE:
            found.append((inside, share, quad))
    if not found:
        return None
    most = max(inside for inside, _, _ in found)
    _, _, quad = min((f for f in found if f[0] >= most - TEXT_INSIDE_TIE), key=lambda f: f[1])
    return None if _is_upright_rectangle(quad) else quad


def _is_upright_rectangle(quad: np.ndarray) -> bool:
    """True for an outline that is just an axis-aligned box (a band or border inside a flat print):
    there is no perspective to undo and cropping to it would only cut off what lies around it."""
    tl, tr, br, bl = order_corners(quad)
    size = max(np.ptp(quad[:, 0]), np.ptp(quad[:, 1]))
    tolerance = 0.01 * size
    return bool(abs(tl[1] - tr[1]) <= tolerance and abs(bl[1] - br[1]) <= tolerance
                and abs(tl[0] - bl[0]) <= tolerance and abs(tr[0] - br[0]) <= tolerance)


def order_corners(quad: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left (by the image axes)."""
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    ordered = quad[np.argsort(angles)]  # clockwise on screen, starting anywhere
    start = int(np.argmin(ordered.sum(axis=1)))  # top-left: smallest x + y
    return np.roll(ordered, -start, axis=0)


def quad_matrix(quad: np.ndarray, margin: float = LABEL_MARGIN) -> tuple[np.ndarray, tuple[int, int]]:
    """Homography taking a quadrilateral to an upright rectangle with a margin, and that image's size."""
    tl, tr, br, bl = order_corners(quad)
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    mx, my = margin * width, margin * height
    target = np.array([[mx, my], [mx + width, my], [mx + width, my + height], [mx, my + height]], np.float32)
    matrix = cv2.getPerspectiveTransform(np.array([tl, tr, br, bl], np.float32), target)
    return matrix.astype(np.float64), (round(width + 2 * mx), round(height + 2 * my))


def band_extents(rgb: np.ndarray, matrix: np.ndarray, size: tuple[int, int], margin: float = LABEL_MARGIN
                 ) -> tuple[float, float, float, float]:
    """How far (px of the rectified view) a coloured band continues the label beyond each side.

    `matrix` and `size` rectify the label with `margin` (quad_matrix). A title bar in a colour
    the outline-finding took for background sits right outside one side: rows along that side
    made only of one colour and of paper-coloured letters, for a while, then something else. Rows
    of that kind that never end (a plain table top) are not a band. Returns (left, top, right,
    bottom) extents, 0 where there is no band.
    """
    w, h = size
    label_w, label_h = w / (1 + 2 * margin), h / (1 + 2 * margin)
    reach = BAND_REACH * max(label_w, label_h)
    big = np.array([[1.0, 0.0, reach], [0.0, 1.0, reach], [0.0, 0.0, 1.0]]) @ matrix
    out_size = (round(w + 2 * reach), round(h + 2 * reach))
    view = cv2.warpPerspective(rgb, big, out_size, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    seen = cv2.warpPerspective(np.full(rgb.shape[:2], 255, np.uint8), big, out_size, flags=cv2.INTER_NEAREST,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    lab = cv2.cvtColor(view, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab[seen == 0] = np.nan  # beyond the photo's edge: no evidence either way
    x0, y0 = reach + margin * label_w, reach + margin * label_h  # the label's edges in `view`
    x1, y1 = x0 + label_w, y0 + label_h
    inner = lab[int(y0):int(y1), int(x0):int(x1)].reshape(-1, 3)
    paper = np.median(inner, axis=0)
    top = [lab[int(y0) - 1 - i, int(x0):int(x1)] for i in range(int(reach))]
    bottom = [lab[int(y1) + i, int(x0):int(x1)] for i in range(int(reach))]
    left = [lab[int(y0):int(y1), int(x0) - 1 - i] for i in range(int(reach))]
    right = [lab[int(y0):int(y1), int(x1) + i] for i in range(int(reach))]
    skip = round(BAND_SKIP * max(label_w, label_h))
    extent = [_band_depth(rows, paper, skip) for rows in (left, top, right, bottom)]
    return extent[0], extent[1], extent[2], extent[3]


def _band_depth(rows: list[np.ndarray], paper: np.ndarray, skip: int) -> float:
    """Rows (outwards from an edge) of one band colour plus paper-coloured letters, if they end.

    Up to `skip` rows of paper between the outline and the band are passed over first.
    """
    band_colour = None
    start = depth = 0
    for i, row in enumerate(rows):
        if len(row) == 0 or np.isnan(row).any():
            return 0.0  # the photo ends before the band does
        near_paper = np.linalg.norm(row - paper, axis=1) < BAND_COLOUR_DISTANCE
        others = row[~near_paper]
        if len(others) < BAND_MIN_SHARE * len(row):
            if band_colour is None and i < skip:
                start = i + 1
                continue
            break  # plain paper, or the band has ended
        colour = np.median(others, axis=0)
        if band_colour is None:
            band_colour = colour
        if (np.linalg.norm(colour - band_colour) > BAND_COLOUR_DISTANCE
                or _off_blend(row, band_colour, paper).mean() > 1 - BAND_UNIFORM):
            break
        depth = i + 1
    else:
        return 0.0  # it never ends: table top, not a band
    if depth <= start or band_colour is None:
        return 0.0
    return float(depth) if np.linalg.norm(band_colour - paper) >= 2 * BAND_COLOUR_DISTANCE else 0.0


def _off_blend(pixels: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which pixels are neither colour a, colour b nor a blend of the two (letter edges blend)."""
    span = b - a
    t = np.clip(((pixels - a) @ span) / max(1e-6, float(span @ span)), 0.0, 1.0)
    return np.linalg.norm(pixels - (a + t[:, None] * span), axis=1) >= BAND_COLOUR_DISTANCE


def rotation_matrix(degrees: float, size: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """Counter-clockwise rotation about the image centre onto a canvas that holds all of it."""
    w, h = size
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = round(h * sin + w * cos), round(h * cos + w * sin)
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    return np.vstack([matrix, [0.0, 0.0, 1.0]]), (max(1, new_w), max(1, new_h))


def translation(dx: float, dy: float) -> np.ndarray:
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def scaling(factor: float) -> np.ndarray:
    return np.diag([factor, factor, 1.0])


def warp(image: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The image seen through a 3x3 matrix (input px -> output px), edges continued outwards."""
    shrink = abs(np.linalg.det(matrix[:2, :2])) < 0.8  # area averaging is not available: blur instead
    flags = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    return cv2.warpPerspective(image, matrix, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)


def transform_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(np.asarray(points, np.float64).reshape(-1, 1, 2), matrix).reshape(-1, 2)


# ---------------------------------------------------------------- text direction and rotation
def text_angle(points: np.ndarray, text_height: float) -> tuple[float, float]:
    """Direction of the text lines through some letter centres, in degrees [0, 180), and a sharpness.

    The points are projected across each candidate direction; along the right one they pile up in
    narrow bands (the lines), which makes the histogram of the projection peaky (sum of squares).
    Degrees are counter-clockwise with y pointing down (as cv2.getRotationMatrix2D takes them).
    """
    if len(points) < 20:
        return 0.0, 0.0
    pts = points - points.mean(axis=0)
    bin_size = max(1.0, text_height / 2)

    def sharpness(degrees: np.ndarray) -> np.ndarray:
        rad = np.radians(degrees)
        # distance across the line direction (a line at angle a runs along (cos a, -sin a))
        across = np.outer(np.cos(rad), pts[:, 1]) + np.outer(np.sin(rad), pts[:, 0])
        out = np.empty(len(degrees))
        for i, row in enumerate(across):
            counts = np.bincount(((row - row.min()) / bin_size).astype(int))
            out[i] = float((counts.astype(np.float64) ** 2).sum())
        return out / len(pts) ** 2

    coarse = np.arange(0.0, 180.0, 1.0)
    scores = sharpness(coarse)
    best = coarse[int(np.argmax(scores))]
    fine = best + np.arange(-1.0, 1.01, 0.1)
    fine_scores = sharpness(fine)
    angle = float(fine[int(np.argmax(fine_scores))]) % 180.0
    return angle, float(fine_scores.max() / max(1e-9, np.median(scores)))


# ---------------------------------------------------------------- flattening curved or skewed lines
def _line_pieces(ink: np.ndarray, text_height: float) -> tuple[int, np.ndarray, np.ndarray]:
    """Letters smeared sideways into line pieces: (count, labels, stats) of the pieces."""
    smear = cv2.morphologyEx(ink.astype(np.uint8) * 255, cv2.MORPH_CLOSE,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (int(1.2 * text_height) | 1, 1)))
    return cv2.connectedComponentsWithStats(smear, connectivity=8)[:3]


def _single_lines(stats: np.ndarray, text_height: float) -> np.ndarray:
    """Indexes of the pieces that are one line each: long enough, and not two lines run together."""
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    candidate = (widths >= 4 * text_height) & (heights >= 0.5 * text_height) & (heights <= 2.5 * text_height)
    candidate[0] = False
    if not candidate.any():
        return np.zeros(0, dtype=int)
    typical = float(np.median(heights[candidate]))
    return np.flatnonzero(candidate & (heights <= 1.35 * typical) & (heights >= 0.6 * typical))


def line_samples(gray: np.ndarray, text_height: float) -> list[np.ndarray]:
    """Per text line piece, points (x, y) along its middle (the ink centroid of sampled columns).

    A piece's thickness is measured per column, not from its bounding box, so a line tilted by ten
    degrees still counts; columns where two lines run together (twice the usual thickness) are left out.
    """
    h = max(4.0, text_height)
    count, labels, stats = _line_pieces(letter_ink(gray, h), h)
    step = max(2, int(h / 2))
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for i in np.flatnonzero(stats[:, cv2.CC_STAT_WIDTH] >= 4 * h):
        if i == 0:
            continue
        x, y, w, hh = stats[i, :4]
        cols = np.arange(0, w, step)
        mask = labels[y:y + hh, x:x + w][:, cols] == i
        thickness = mask.sum(axis=0).astype(np.float64)
        rows = np.arange(hh, dtype=np.float64)[:, None]
        centre = (mask * rows).sum(axis=0) / np.maximum(1.0, thickness)
        found.append((x + cols.astype(np.float64), y + centre, thickness))
    if not found:
        return []
    typical = float(np.median(np.concatenate([t[t > 0] for _, _, t in found])))
    if not 0.4 * h <= typical <= 2.5 * h:
        return []
    pieces = []
    for xs, ys, thickness in found:
        good = (thickness >= 0.5 * typical) & (thickness <= 1.5 * typical)
        if good.sum() >= 4 and good.mean() >= 0.5:
            pieces.append(np.stack([xs[good], ys[good]], axis=1))
    return pieces + rule_samples(gray, h)


def rule_samples(gray: np.ndarray, text_height: float) -> list[np.ndarray]:
    """Points along thin horizontal rules (table lines): they run under right-aligned amounts that
    no text line reaches, so they show how the lines bend there."""
    h = max(4.0, text_height)
    ink = ink_mask(gray)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    step = max(2, int(h / 2))
    pieces = []
    for i in np.flatnonzero((widths >= 8 * h) & (heights <= 0.25 * widths)):
        if i == 0:
            continue
        x, y, w, hh = stats[i, :4]
        cols = np.arange(0, w, step)
        mask = labels[y:y + hh, x:x + w][:, cols] == i
        present = mask.any(axis=0)
        first = np.argmax(mask, axis=0)
        last = hh - 1 - np.argmax(mask[::-1], axis=0)
        # one thin stroke in the column (not a letter sitting on the rule, not the two sides of a box)
        good = present & (last - first + 1 <= 0.35 * h) & (mask.sum(axis=0) == last - first + 1)
        if good.sum() >= 8 and good.mean() >= 0.6:
            centre = (first + last) / 2.0
            pieces.append(np.stack([x + cols[good].astype(np.float64), y + centre[good]], axis=1))
    return pieces


def _design(xn: np.ndarray, yn: np.ndarray) -> np.ndarray:
    """Terms x^a * y^b (a = 1..2, b = 0..2) of the smooth vertical displacement field.

    Linear in x covers rotation and converging lines (perspective), quadratic in x the bow of a
    label wrapped round a bottle; each may change smoothly down the label (powers of y).
    """
    return np.stack([xn ** a * yn ** b for a in (1, 2) for b in (0, 1, 2)], axis=1)


@dataclass(frozen=True)
class LineField:
    """Fitted vertical displacement of text lines over a normalised image ([-1, 1] on both axes)."""

    coef: np.ndarray
    x_range: tuple[float, float]  # normalised extent of the samples it was fitted on
    y_range: tuple[float, float]

    def shift(self, xn: np.ndarray, yn: np.ndarray) -> np.ndarray:
        """Displacement at normalised points.

        Above and below the sampled lines the field is held constant; left and right of them it
        continues in a straight line (tangent at the edge), so a right-aligned amount beyond the
        sampled text still follows the slope of its row instead of a quadratic running away.
        """
        xc = np.clip(xn, *self.x_range)
        yc = np.clip(yn, *self.y_range)
        at_edge = _design(xc.ravel(), yc.ravel()) @ self.coef
        slope = _design_dx(xc.ravel(), yc.ravel()) @ self.coef
        return (at_edge + slope * (xn - xc).ravel()).reshape(xn.shape)


def _design_dx(xn: np.ndarray, yn: np.ndarray) -> np.ndarray:
    """d/dx of the _design terms."""
    return np.stack([a * xn ** (a - 1) * yn ** b for a in (1, 2) for b in (0, 1, 2)], axis=1)


def fit_line_field(pieces: list[np.ndarray], shape: tuple[int, int], text_height: float
                   ) -> LineField | None:
    """The field g with y_line(x) = t_i + g(x, y) for every line piece i, or None with too few lines.

    Everything in normalised coordinates (-1..1 across the image), so the field fits any size.
    Least squares with a free offset t_i per piece (solved by subtracting each piece's means); samples
    far off the fit (a merged neighbouring line, an underline) are dropped and the fit repeated.
    """
    if len(pieces) < 3:
        return None
    h, w = shape
    pts = np.vstack(pieces)
    index = np.concatenate([np.full(len(p), i) for i, p in enumerate(pieces)])
    xn, yn = pts[:, 0] / w * 2 - 1, pts[:, 1] / h * 2 - 1
    design = _design(xn, yn)
    keep = np.ones(len(pts), dtype=bool)
    coef = np.zeros(design.shape[1])
    for _ in range(3):
        counts = np.maximum(1, np.bincount(index, weights=keep, minlength=len(pieces)))
        mean_y = np.bincount(index, weights=yn * keep, minlength=len(pieces)) / counts
        mean_d = np.stack([np.bincount(index, weights=design[:, j] * keep, minlength=len(pieces))
                           for j in range(design.shape[1])], axis=1) / counts[:, None]
        centred_d, centred_y = design - mean_d[index], yn - mean_y[index]
        coef, *_ = np.linalg.lstsq(centred_d[keep], centred_y[keep], rcond=None)
        residual = np.abs(centred_d @ coef - centred_y) * (h / 2)  # in px
        new_keep = residual < max(1.5, 0.3 * text_height)
        if new_keep.sum() < 0.5 * len(pts) or (new_keep == keep).all():
            break
        keep = new_keep
    margin = 0.1
    return LineField(coef, (float(xn[keep].min()) - margin, float(xn[keep].max()) + margin),
                     (float(yn[keep].min()), float(yn[keep].max())))


def wobble(pieces: list[np.ndarray]) -> float:
    """How far text lines stray from straight and level: median over pieces of the spread of y (px)."""
    spreads = [float(np.std(p[:, 1])) for p in pieces if len(p) >= 4]
    return float(np.median(spreads)) if spreads else 0.0


def flatten_maps(field: LineField, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, float]:
    """cv2.remap maps that straighten the lines of an image of `size` (w, h), and the largest shift.

    The field is in normalised coordinates, so one fitted on a small copy serves any size. Columns
    move up and down only, relative to the middle column.
    """
    w, h = size
    gw, gh = min(w, 256), min(h, 256)  # the field is smooth: evaluate coarsely, then enlarge
    xn, yn = np.meshgrid(np.linspace(-1, 1, gw), np.linspace(-1, 1, gh))
    shift = field.shift(xn, yn) - field.shift(np.zeros_like(xn[:, :1]), yn[:, :1])
    shift = cv2.resize((shift * (h / 2)).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    map_x = np.tile(np.arange(w, dtype=np.float32), (h, 1))
    map_y = np.arange(h, dtype=np.float32)[:, None] + shift
    return map_x, map_y, float(np.abs(shift).max())


def remap(image: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    return cv2.remap(image, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def upright_score(gray: np.ndarray, text_height: float) -> tuple[float, int]:
    """How upright level text looks, from -1 (upside down) to 1, and the number of lines measured.

    Latin print has more marks reaching above the x-height band (capitals, digits, b d f h k l t,
    accents, i-dots) than below it (g j p q y, commas) in all four label languages. Per line the
    densest band of ink rows is the x-height band; the letters of the line that reach well above it
    and those that reach well below are counted.
    """
    factor = min(1.0, 12.0 / max(1.0, text_height))
    h, w = gray.shape
    small = cv2.resize(gray, (max(1, round(w * factor)), max(1, round(h * factor))),
                       interpolation=cv2.INTER_AREA) if factor < 1 else gray
    th = max(4.0, text_height * factor)
    ink = letter_ink(small, th)
    count, labels, stats = _line_pieces(ink, th)
    _, letters, letter_stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    above = below = lines = 0
    for i in _single_lines(stats, th):
        x, y, bw, bh = stats[i, :4]
        piece = labels[y:y + bh, x:x + bw] == i
        profile = (ink[y:y + bh, x:x + bw] & piece).sum(axis=1)
        band = np.flatnonzero(profile >= 0.5 * profile.max())
        top, bottom = y + band[0], y + band[-1]
        reach = 0.3 * (bottom - top + 1)
        ids = np.unique(letters[y:y + bh, x:x + bw][piece])
        ids = ids[ids > 0]
        tops = letter_stats[ids, cv2.CC_STAT_TOP]
        bottoms = tops + letter_stats[ids, cv2.CC_STAT_HEIGHT] - 1
        above += int((tops < top - reach).sum())
        below += int((bottoms > bottom + reach).sum())
        lines += 1
    if above + below == 0:
        return 0.0, lines
    return float((above - below) / (above + below)), lines
