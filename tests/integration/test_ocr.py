"""The real Tesseract on rendered labels in four languages: words, boxes, orientation, failures."""
from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from checker import imaging, ocr
from checker.errors import OcrError, OcrTimeoutError
from checker.imaging import geometry
from checker.ocr.layout import TsvWord
from tests.render import add_exif_orientation, font, render_label, render_table, stack, to_bytes

pytestmark = pytest.mark.tesseract

LABELS = {
    "nl": (["Darmrust Butyraat Plus",
            "Ingrediënten: natriumbutyraat (70 %), vulstof: rijstmeel, capsulewand: "
            "hydroxypropylmethylcellulose.",
            "Per capsule: Natriumbutyraat 600 mg, waarvan boterzuur 478 mg.",
            "Gebruik: neem dagelijks 2 capsules met water. Buiten bereik van kinderen bewaren."],
           ["Natriumbutyraat", "600 mg", "rijstmeel", "capsules", "kinderen"]),
    "en": (["GutCalm Tributyrin",
            "Ingredients: tributyrin, softgel shell (gelatine, glycerol), sunflower oil.",
            "Each softgel provides Tributyrin 550 mg.",
            "Directions: take 1 softgel twice daily with food. Keep out of reach of young children."],
           ["Ingredients", "Tributyrin", "550 mg", "softgel", "children"]),
    "de": (["Butyrat Komplex",
            "Zutaten: Calciumbutyrat, Maltodextrin, Trennmittel: Magnesiumsalze der Speisefettsäuren.",
            "Pro Kapsel: Calciumbutyrat 400 mg.",
            "Verzehrempfehlung: täglich 1 Kapsel mit Wasser einnehmen. Kühl und trocken lagern."],
           ["Zutaten", "Calciumbutyrat", "400 mg", "Maltodextrin", "Kapsel"]),
    "fr": (["Butyrate Équilibre",
            "Ingrédients : butyrate de magnésium, agent de charge : amidon de maïs, gélule végétale.",
            "Par gélule : butyrate de magnésium 300 mg.",
            "Conseils d'utilisation : 2 gélules par jour avec un verre d'eau."],
           ["Ingrédients", "butyrate de magnésium", "300 mg", "amidon", "gélules"]),
}


def _load(img: Image.Image, fmt: str = "PNG") -> imaging.LoadedImage:
    return imaging.load_image(to_bytes(img, fmt), f"label.{fmt.lower()}")


@pytest.mark.parametrize("language", sorted(LABELS))
def test_labels_in_each_language_are_read(language: str) -> None:
    lines, expected = LABELS[language]
    result = ocr.ocr_image(_load(render_label(lines)))
    for words in expected:
        assert words in result.text
    assert result.mean_confidence > 80
    assert result.engine.startswith("tesseract ")
    assert result.passes[0] == "default/psm3"
    assert result.languages == "eng+nld+deu+fra"


@pytest.mark.parametrize("font_size", [14, 28, 60])
def test_word_boxes_are_in_input_pixels_at_any_text_size(font_size: int) -> None:
    img = render_label(["Zutaten", "Calciumbutyrat 400 mg, Maltodextrin, Siliciumdioxid."] * 3,
                       font_size=font_size, width=max(700, font_size * 40))
    result = ocr.ocr_image(_load(img))
    gray = np.asarray(img.convert("L"))
    words = [w for w in result.words if w.text.startswith("Calciumbutyrat")]
    assert len(words) == 3
    for w in words:
        x, y, width, height = w.bbox
        assert 0 <= x and 0 <= y and x + width <= img.width and y + height <= img.height
        assert 0.5 * font_size <= height <= 1.6 * font_size
        assert 6 * font_size <= width <= 12 * font_size  # 14 letters
        assert (gray[y:y + height, x:x + width] < 128).mean() > 0.08  # the box holds the ink


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_an_exif_rotated_photo_reads_like_the_upright_one(orientation: int) -> None:
    lines, expected = LABELS["de"]
    upright = to_bytes(render_label(lines), "JPEG", quality=90)
    loaded = imaging.load_image(add_exif_orientation(upright, orientation), "IMG_2024.JPG")
    result = ocr.ocr_image(loaded)
    for words in expected:
        assert words in result.text


def test_table_amounts_stay_on_the_row_of_their_name() -> None:
    rows = [("Zinkbutyrat", "300 mg"), ("davon Buttersäure", "212 mg"), ("Natrium", "45 mg")]
    img = stack(render_label(["Vitalis Zink", "Zutaten: Zinkbutyrat, Maltodextrin."]),
                render_table("Pro Tagesdosis (2 Kapseln)", rows))
    lines = ocr.ocr_image(_load(img)).text.splitlines()
    assert "Zinkbutyrat 300 mg" in lines
    assert "Natrium 45 mg" in lines


def _squeezed_row(name: str, amount: str) -> np.ndarray:
    """A table row as a curved bottle shows it at its edge: the right-hand amount squeezed to 55 % of
    its width, blurred, grey print on grey paper."""
    body = font(22)
    row = Image.new("L", (1100, 60), 235)
    ImageDraw.Draw(row).text((40, 15), name, font=body, fill=70)
    width = round(body.getlength(amount)) + 20
    cell = Image.new("L", (width, 60), 235)
    ImageDraw.Draw(cell).text((10, 15), amount, font=body, fill=70)
    cell = cell.resize((round(width * 0.55), 60), Image.LANCZOS)
    row.paste(cell, (1040 - cell.width, 0))
    return cv2.GaussianBlur(np.asarray(row, dtype=np.float32), (0, 0), 1.2).clip(0, 255).astype(np.uint8)


def test_squeezed_amounts_misread_at_a_rows_end_are_read_again() -> None:
    view = np.vstack([_squeezed_row("Natriumbutyrat", "500 mg"),
                      _squeezed_row("Lactobacillus acidophilus", "25 mg")])
    misread = [TsvWord("Natriumbutyrat", 95, 40, 18, 170, 26, (1, 1, 1, 1), 1),
               TsvWord("som", 50, 960, 18, 70, 26, (1, 1, 1, 1), 2),  # what a page pass made of "500 mg"
               TsvWord("Lactobacillus", 95, 40, 78, 150, 26, (1, 1, 2, 1), 1),
               TsvWord("acidophilus", 95, 200, 78, 130, 26, (1, 1, 2, 1), 2),
               TsvWord("Bm", 40, 975, 78, 55, 26, (1, 1, 2, 1), 3)]  # and of "25 mg"
    tried: list[str] = []
    ink = geometry.text_blobs(geometry.ink_mask(view))
    prepared = imaging.PreparedImage(image=Image.fromarray(view), scale=1.0,
                                     view_blobs=tuple(tuple(int(v) for v in box) for box in ink))
    words = ocr.passes._reread_cells(prepared, misread, lambda: 30.0, tried)
    assert [line for line in ocr.build_text(words).text.splitlines() if line] == [
        "Natriumbutyrat 500 mg", "Lactobacillus acidophilus 25 mg"]
    assert tried == ["default-cells/psm6"]


def test_a_blank_image_gives_no_text() -> None:
    result = ocr.ocr_image(_load(Image.new("RGB", (1200, 900), "white")))
    assert len(result.words) <= 2
    assert result.mean_confidence < 50 or not result.words


def test_a_tiny_timeout_raises_ocr_timeout() -> None:
    loaded = _load(render_label(LABELS["en"][0]))
    with pytest.raises(OcrTimeoutError, match="longer than"):
        ocr.ocr_image(loaded, timeout=0.01)


def test_a_missing_language_pack_is_named() -> None:
    with pytest.raises(OcrError, match="xyz") as info:
        ocr.read_text(render_label(["Zutaten"]), languages="eng+xyz")
    assert "install" in info.value.message


def test_tesseract_version_names_the_engine() -> None:
    assert re.fullmatch(r"tesseract \d+\.\d+\.\d+\S*", ocr.tesseract_version())
