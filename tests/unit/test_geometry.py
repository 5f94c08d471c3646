"""Finding the label in a photo, its text direction, which way up it is, curved lines, mapping back."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from checker import imaging
from checker.imaging import geometry
from tests.render import photograph, render_label

TEXT = {
    "nl": ["Darmrust Butyraat Plus",
           "Ingrediënten: natriumbutyraat (70 %), vulstof: rijstmeel, capsulewand: "
           "hydroxypropylmethylcellulose.",
           "Per capsule: natriumbutyraat 600 mg, waarvan boterzuur 478 mg. Gebruik: neem dagelijks "
           "2 capsules met water. Buiten bereik van jonge kinderen bewaren. Koel en droog bewaren."],
    "de": ["Butyrat Komplex",
           "Zutaten: Calciumbutyrat, Maltodextrin, Trennmittel: Magnesiumsalze der Speisefettsäuren.",
           "Verzehrempfehlung: täglich 1 Kapsel mit Wasser einnehmen. Kühl und trocken lagern. Außerhalb "
           "der Reichweite von kleinen Kindern aufbewahren. Mindestens haltbar bis: siehe Boden."],
    "fr": ["Butyrate Équilibre",
           "Ingrédients : butyrate de magnésium, agent de charge : amidon de maïs, gélule végétale.",
           "Conseils d'utilisation : 2 gélules par jour avec un verre d'eau. Ne pas dépasser la dose "
           "journalière recommandée. Tenir hors de portée des jeunes enfants."],
    "en": ["GutCalm Tributyrin",
           "Ingredients: tributyrin, softgel shell (gelatine, glycerol), sunflower oil.",
           "Directions: take 1 softgel twice daily with food. Do not exceed the recommended daily dose. "
           "Keep out of reach of young children. Store in a cool, dry place."],
}


def _label(language: str = "nl", width: int = 1100) -> Image.Image:
    return render_label(TEXT[language] * 2, width=width)


def _gray(img: Image.Image) -> np.ndarray:
    return cv2.cvtColor(np.asarray(img.convert("RGB")), cv2.COLOR_RGB2GRAY)


# ---------------------------------------------------------------- mapping points back
def test_homography_boxes_map_back_to_where_the_print_was() -> None:
    img = np.full((400, 600), 255, np.uint8)
    img[100:140, 200:300] = 0  # a black box to find again
    quad = np.array([[50, 30], [560, 60], [580, 380], [20, 350]], np.float64)
    matrix, size = geometry.quad_matrix(quad, margin=0.0)
    warped = geometry.warp(img, matrix, size)
    ys, xs = np.nonzero(warped < 128)
    box = (int(xs.min()), int(ys.min()), int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1)
    back = geometry.box_to_input(box, geometry.PointMap((geometry.Homography(np.linalg.inv(matrix)),)),
                                 (600, 400))
    # the box holds the print (a box round a turned box is a little larger, never smaller)
    x0, y0, x1, y1 = back[0], back[1], back[0] + back[2], back[1] + back[3]
    assert 188 <= x0 <= 201 and 88 <= y0 <= 101 and 299 <= x1 <= 312 and 139 <= y1 <= 152


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_quarter_turns_map_back(turns: int) -> None:
    img = np.zeros((30, 50), np.uint8)
    img[5:9, 40:44] = 255
    turned = np.rot90(img, turns)
    ys, xs = np.nonzero(turned)
    box = (int(xs.min()), int(ys.min()), 4, 4)
    back = geometry.box_to_input(box, geometry.PointMap((geometry.QuarterTurns(turns, (50, 30)),)), (50, 30))
    assert back == (40, 5, 4, 4)


def test_boxes_are_clipped_to_the_input() -> None:
    mapping = geometry.PointMap((geometry.Scale(0.5, 0.5),))  # prepared at half size: boxes double
    assert geometry.box_to_input((90, 40, 30, 30), mapping, (200, 100)) == (180, 80, 20, 20)


# ---------------------------------------------------------------- the label outline
@pytest.mark.parametrize(("background", "tilt", "perspective"), [
    ("wood", 7.0, 0.12), ("cloth", -12.0, 0.0), ("plain", 3.0, 0.2),
])
def test_the_label_is_found_on_the_table(background: str, tilt: float, perspective: float) -> None:
    photo = photograph(_label(), background=background, tilt=tilt, perspective=perspective)
    rgb = np.asarray(photo)
    small, factor = geometry.downscale(rgb, 1200)
    boxes = geometry.text_blobs(geometry.ink_mask(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)))
    quad = geometry.find_label(small, boxes)
    assert quad is not None
    corners = geometry.order_corners(quad / factor)
    # the label is rotated by `tilt`: its top edge rises by that angle (y points down)
    top = corners[1] - corners[0]
    assert -np.degrees(np.arctan2(top[1], top[0])) == pytest.approx(tilt, abs=2.5)
    # and covers about the label's area (1100 px wide render; the photo keeps its size)
    area = cv2.contourArea(corners.astype(np.float32))
    label = _label()
    assert 0.7 * label.width * label.height <= area <= 1.3 * label.width * label.height


def test_a_flat_print_filling_the_frame_has_no_outline_to_crop_to() -> None:
    rgb = np.asarray(_label())
    boxes = geometry.text_blobs(geometry.ink_mask(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)))
    assert geometry.find_label(rgb, boxes) is None


# ---------------------------------------------------------------- text direction, orientation, curvature
@pytest.mark.parametrize("degrees", [-8.0, 2.5, 25.0, 90.0, 120.0])
def test_text_direction_is_measured(degrees: float) -> None:
    gray = _gray(_label().rotate(degrees, expand=True, fillcolor="white", resample=Image.Resampling.BICUBIC))
    boxes = geometry.text_blobs(geometry.ink_mask(gray))
    height = float(np.median(np.minimum(boxes[:, 2], boxes[:, 3])))
    angle, sharpness = geometry.text_angle(geometry.text_region(boxes, gray.shape), height)
    difference = (angle - degrees) % 180
    assert min(difference, 180 - difference) < 0.6
    assert sharpness > 1.5


@pytest.mark.parametrize("language", sorted(TEXT))
def test_upright_text_is_told_from_upside_down(language: str) -> None:
    gray = _gray(_label(language))
    score, lines = geometry.upright_score(gray, 20.0)
    flipped, _ = geometry.upright_score(np.ascontiguousarray(gray[::-1, ::-1]), 20.0)
    assert lines >= 6
    assert score > imaging.straightening.UPRIGHT_MARGIN and flipped < -imaging.straightening.UPRIGHT_MARGIN


def test_curved_lines_are_flattened() -> None:
    gray = _gray(photograph(_label(), background="plain", curve=0.05, blur=0.5))
    gray = gray[200:-200, 150:-150]
    pieces = geometry.line_samples(gray, 20.0)
    field = geometry.fit_line_field(pieces, gray.shape, 20.0)
    assert field is not None
    map_x, map_y, bend = geometry.flatten_maps(field, (gray.shape[1], gray.shape[0]))
    assert bend > 10  # the middle of a line sits ~25 px below its ends
    flat = geometry.remap(gray, map_x, map_y)
    assert geometry.wobble(geometry.line_samples(flat, 20.0)) < 0.4 * geometry.wobble(pieces)


# ---------------------------------------------------------------- deciding what an image needs
def test_a_clean_print_is_taken_as_flat_and_gets_the_plain_preparation() -> None:
    label = _label()
    assert imaging.looks_flat(label)
    assert imaging.candidates(label) == list(imaging.straightening.PREPARATIONS)


@pytest.mark.parametrize("photo", [
    dict(tilt=6.0), dict(tilt=0.0, background="cloth"), dict(turn=90, background="plain"), dict(turn=180),
])
def test_a_photo_is_not_flat(photo: dict) -> None:
    assert not imaging.looks_flat(photograph(_label(), **photo))


@pytest.mark.parametrize(("turn", "tilt"), [(0, 9.0), (90, -4.0), (180, 3.0), (270, 0.0)])
def test_straightening_finds_the_rotation_that_makes_text_upright(turn: int, tilt: float) -> None:
    geo = imaging.straighten(photograph(_label("de"), tilt=tilt, perspective=0.1, turn=turn))
    assert geo is not None and geo.changes_anything and geo.sure_of_orientation
    prepared = imaging.render(photograph(_label("de"), tilt=tilt, perspective=0.1, turn=turn), geo)
    gray = np.asarray(prepared.image)
    score, _ = geometry.upright_score(gray, imaging.TARGET_TEXT_HEIGHT)
    assert score > imaging.straightening.UPRIGHT_MARGIN
    # the body text came out at the height Tesseract reads best
    assert prepared.text_height is not None
    height = prepared.text_height * prepared.scale
    assert 0.6 * imaging.TARGET_TEXT_HEIGHT <= height <= 1.6 * imaging.TARGET_TEXT_HEIGHT


def test_a_picture_without_text_is_not_straightened() -> None:
    assert imaging.straighten(photograph(Image.new("RGB", (900, 600), "white"))) is None
    blank = Image.new("RGB", (900, 600), (120, 110, 100))
    assert imaging.candidates(blank) == list(imaging.straightening.PREPARATIONS)
