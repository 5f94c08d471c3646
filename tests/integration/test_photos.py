"""Phone photos of labels, made from rendered text: tilt, perspective, bottles, glare, dim light, turned.

Each photo is read by the real Tesseract and the label parser; the tests assert what a user relies
on (actives, amounts, additives), not only that OCR ran.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest
from PIL import Image

from checker import imaging, ocr, pipeline
from checker.models import OcrResult, ParsedLabel
from checker.parsing import parse_label
from checker.reference import default_reference
from tests.render import photograph, render_label, render_table, stack, to_bytes

pytestmark = pytest.mark.tesseract

# (paragraphs, table title, table rows, expected active id, mg per unit, E-numbers) per language
LABELS = {
    "nl": (["Darmrust Butyraat Plus",
            "Voedingssupplement met natriumbutyraat · 60 capsules",
            "Ingrediënten: natriumbutyraat (70 %), vulstof: rijstmeel, capsulewand: "
            "hydroxypropylmethylcellulose, antiklontermiddel: siliciumdioxide.",
            "Gebruik: neem dagelijks 2 capsules met water. Buiten bereik van jonge kinderen bewaren."],
           "Per capsule", [("Natriumbutyraat", "600 mg"), ("waarvan boterzuur", "478 mg")],
           "sodium-butyrate", 600.0, {"E464", "E551"}),
    "de": (["Butyrat Komplex",
            "Nahrungsergänzungsmittel mit Calciumbutyrat · 90 Kapseln",
            "Zutaten: Calciumbutyrat, Maltodextrin, Überzugsmittel: Hydroxypropylmethylcellulose, "
            "Trennmittel: Magnesiumstearat.",
            "Verzehrempfehlung: täglich 1 Kapsel mit Wasser einnehmen. Kühl und trocken lagern."],
           "Pro Kapsel", [("Calciumbutyrat", "400 mg"), ("davon Buttersäure", "325 mg")],
           "calcium-butyrate", 400.0, {"E464", "E470b"}),
    "fr": (["Butyrate Équilibre",
            "Complément alimentaire à base de butyrate de magnésium · 30 gélules",
            "Ingrédients : butyrate de magnésium, agent de charge : cellulose microcristalline, "
            "gélule : hydroxypropylméthylcellulose.",
            "Conseils d'utilisation : 2 gélules par jour avec un verre d'eau."],
           "Par gélule", [("Butyrate de magnésium", "300 mg"), ("dont acide butyrique", "227 mg")],
           "magnesium-butyrate", 300.0, {"E460", "E464"}),
    "en": (["GutCalm Tributyrin",
            "Food supplement with tributyrin · 60 softgels",
            "Ingredients: tributyrin, softgel shell (gelatine, humectant: glycerol), sunflower oil, "
            "antioxidant: tocopherol-rich extract.",
            "Directions: take 1 softgel twice daily with food. Keep out of reach of young children."],
           "Per softgel", [("Tributyrin", "550 mg"), ("of which butyric acid", "480 mg")],
           "tributyrin", 550.0, {"E422", "E306"}),
}


@functools.lru_cache(maxsize=8)
def _print(language: str) -> Image.Image:
    paragraphs, title, rows, *_ = LABELS[language]
    return stack(render_label(paragraphs[:2], width=1300),
                 render_label(paragraphs[2:], width=1300, bold_title=False),
                 render_table(title, rows, width=1300))


@functools.lru_cache(maxsize=16)
def _read(language: str, **photo: object) -> tuple[OcrResult, ParsedLabel]:
    image = photograph(_print(language), **photo)
    data = to_bytes(image, "JPEG", quality=88)
    result = ocr.ocr_image(imaging.load_image(data, "IMG_0001.jpg"))
    return result, parse_label(result.text, default_reference())


def _read_kw(language: str, photo: dict) -> tuple[OcrResult, ParsedLabel]:
    return _read(language, **photo)


def _content(label: ParsedLabel) -> tuple[set[str], dict[str, float | None], set[str]]:
    actives = {a.id for a in label.actives}
    amounts = {a.id: a.amount.mg() if a.amount else None for a in label.actives}
    e_numbers = {i.e_number for i in label.ingredients if i.e_number}
    return actives, amounts, e_numbers


def _assert_reads_the_label(language: str, label: ParsedLabel) -> None:
    *_, active, mg, e_numbers = LABELS[language]
    actives, amounts, found_e = _content(label)
    assert active in actives
    assert amounts[active] == pytest.approx(mg)
    assert e_numbers <= found_e


@pytest.mark.parametrize(("language", "photo"), [
    ("nl", dict(tilt=8.0, perspective=0.15)),  # on a wooden table, tilted, top further away
    ("de", dict(curve=0.05, glare=0.7, background="plain", tilt=-3.0)),  # round a bottle, with glare
    ("fr", dict(contrast=0.4, light=0.8, background="cloth", tilt=4.0)),  # faint print, dim on one side
    ("en", dict(tilt=-15.0, perspective=0.1, blur=1.4)),  # turned on the table, a little soft
])
def test_hard_photos_are_read_into_the_same_label_content(language: str, photo: dict) -> None:
    result, label = _read_kw(language, photo)
    _assert_reads_the_label(language, label)
    assert result.mean_confidence > 75
    assert result.passes[0] == "straight/psm3"


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_a_photo_saved_sideways_or_upside_down_reads_as_well_as_the_upright_one(turn: int) -> None:
    upright, upright_label = _read_kw("nl", dict(tilt=5.0))
    turned, turned_label = _read_kw("nl", dict(tilt=5.0, turn=turn))
    _assert_reads_the_label("nl", turned_label)
    assert _content(turned_label) == _content(upright_label)
    upright_words = {w.text for w in upright.words}
    turned_words = {w.text for w in turned.words}
    assert len(upright_words & turned_words) >= 0.9 * len(upright_words)


def test_word_boxes_of_a_straightened_photo_lie_on_the_print_in_the_photo() -> None:
    image = photograph(_print("nl"), tilt=8.0, perspective=0.15)
    result, _ = _read_kw("nl", dict(tilt=8.0, perspective=0.15))
    gray = np.asarray(image.convert("L")).astype(np.float32)
    words = [w for w in result.words if len(w.text) >= 6 and w.confidence > 80]
    assert len(words) > 20
    for w in words:
        x, y, width, height = w.bbox
        assert 0 <= x and 0 <= y and x + width <= image.width and y + height <= image.height
        # 28-40 px print tilted by 8 degrees: the box round a turned word is taller by its width x tan 8°
        assert 12 <= height <= 60 + 0.2 * width
        crop = gray[y:y + height, x:x + width]
        assert (crop < 0.6 * np.percentile(crop, 95)).mean() > 0.05  # the box holds dark print


@pytest.mark.parametrize("picture", ["blurred", "black", "wall"])
def test_an_unreadable_photo_gets_the_unreadable_verdict_with_advice(picture: str) -> None:
    if picture == "blurred":
        image = photograph(_print("de"), tilt=5.0, blur=9.0)
    elif picture == "black":
        rng = np.random.default_rng(3)
        image = Image.fromarray(rng.normal(12, 4, (900, 1200, 3)).clip(0, 255).astype(np.uint8))
    else:  # a textured wall or table top, no label at all
        image = photograph(Image.new("RGB", (40, 40), (150, 98, 60)), background="cloth")
    report = pipeline.check_image(to_bytes(image, "JPEG", quality=85), f"{picture}.jpg")
    assert report["verdict"] == "unreadable"
    rules = [f["rule"] for f in report["findings"]]
    assert rules == ["ocr.unreadable"]  # not a list of missing particulars built on noise
    message = report["findings"][0]["message"].lower()
    assert "closer" in message and "glare" in message


def test_a_title_in_a_colour_band_is_read_with_the_label() -> None:
    band = render_label(["Butyrat Komplex Forte"], width=1300, font_size=34, foreground=(255, 255, 255),
                        background=(30, 90, 110))
    image = photograph(stack(band, _print("de")), tilt=6.0, perspective=0.1)
    result = ocr.ocr_image(imaging.load_image(to_bytes(image, "JPEG", quality=88), "IMG_0002.jpg"))
    assert "Butyrat Komplex Forte" in result.text
    _assert_reads_the_label("de", parse_label(result.text, default_reference()))


def test_warnings_partly_erased_by_glare_still_count() -> None:
    """Glare on a bottle leaves paper-white holes in sentences; what is left still states the warning."""
    hole = " " * 14  # the words a saturated glare spot took away
    label = stack(render_label(["Calmgut Butyrate", "Food supplement with sodium butyrate · 60 capsules"],
                               width=1300),
                  render_label(["Ingredients: sodium butyrate, rice flour, capsule shell: "
                                "hydroxypropylmethylcellulose.",
                                "Directions: take 2 capsules daily with water.",
                                f"Do not exceed the recommended daily dose. Food supplements should not be "
                                f"used as a{hole}varied and balanced diet.",
                                f"Keep out of the reach of young{hole}",
                                f"{hole}cool, dry place."], width=1300, bold_title=False))
    image = photograph(label, tilt=5.0, glare=0.4, background="plain")
    result = ocr.ocr_image(imaging.load_image(to_bytes(image, "JPEG", quality=88), "IMG_0003.jpg"))
    particulars = parse_label(result.text, default_reference()).particulars
    for key in ("overdose_warning", "diet_statement", "children_warning", "storage"):
        assert particulars[key].present, (key, result.text)
