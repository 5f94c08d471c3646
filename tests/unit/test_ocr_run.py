"""How the OCR step reports Tesseract's failures and picks its passes (Tesseract itself is faked)."""
from __future__ import annotations

import os

import pytesseract
import pytest
from PIL import Image

from checker import imaging, ocr
from checker.errors import OcrError, OcrTimeoutError
from checker.imaging import geometry
from checker.ocr import engine, passes
from tests.render import render_label
from tests.unit.test_ocr_parse import HEADER, LABEL, tsv

# a second pass that also read the amount column
SECOND = tsv("5\t1\t1\t1\t1\t1\t62\t68\t156\t26\t92.2\tZutaten",
             "5\t1\t1\t1\t2\t1\t61\t117\t199\t25\t91.7\tCalciumbutyrat",
             "5\t1\t1\t1\t2\t2\t900\t118\t46\t19\t93.0\t1200",
             "5\t1\t1\t1\t2\t3\t960\t123\t38\t19\t93.0\tmg")


@pytest.fixture
def fake_tesseract(monkeypatch: pytest.MonkeyPatch) -> dict[int, object]:
    """Replace the Tesseract run: outputs[psm] is the TSV to return, or an exception to raise."""
    outputs: dict[int, object] = {}

    def image_to_data(image: Image.Image, lang: str, config: str, timeout: float, output_type: str) -> str:
        psm = int(config.split()[-1])
        out = outputs[psm]
        if isinstance(out, BaseException):
            raise out
        return out  # type: ignore[return-value]

    monkeypatch.setattr(pytesseract, "image_to_data", image_to_data)
    monkeypatch.setattr(engine, "available_languages", lambda: frozenset({"eng", "nld", "deu", "fra", "osd"}))
    monkeypatch.setattr(passes, "tesseract_version", lambda: "tesseract 5.3.0")
    monkeypatch.setattr(engine, "tesseract_version", lambda: "tesseract 5.3.0")
    return outputs


@pytest.fixture
def label() -> imaging.LoadedImage:
    return imaging.LoadedImage(image=render_label(["Zutaten", "Calciumbutyrat 600 mg"] * 3, width=700),
                               media_type="image/png", width=700, height=400, sha256="0" * 64)


@pytest.mark.parametrize(("operator", "threads", "expected"),
                         [(None, None, "1"), ("3", None, "3"), (None, 2, "2")])
def test_tesseract_runs_with_one_thread_unless_told(tmp_path, monkeypatch: pytest.MonkeyPatch,
                                                    operator: str | None, threads: int | None,
                                                    expected: str) -> None:
    """The thread limit is set for each Tesseract run, not in this process's environment."""
    seen = tmp_path / "seen"
    fake = tmp_path / "tesseract"
    fake.write_text('#!/bin/sh\nif [ "$1" = --version ]; then echo "tesseract 5.3.0"; exit 0; fi\n'
                    f'echo "$OMP_THREAD_LIMIT" > {seen}\nexit 1\n')
    fake.chmod(0o755)
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(fake))
    if operator is None:
        monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    else:
        monkeypatch.setenv("OMP_THREAD_LIMIT", operator)
    with pytest.raises(OcrError):
        engine.run_tsv(Image.new("L", (50, 40), 255), "eng", 10, 6, threads=threads)
    assert seen.read_text().strip() == expected
    assert os.environ.get("OMP_THREAD_LIMIT") == operator


@pytest.mark.parametrize(("raised", "error", "words"), [
    (RuntimeError("Tesseract process timeout"), OcrTimeoutError, ["longer than 60 s"]),
    (pytesseract.TesseractNotFoundError(), OcrError, ["not installed", "apt-get install tesseract-ocr",
                                                      "tesseract-ocr-nld", "brew install tesseract"]),
    (pytesseract.TesseractError(1, "Error in pixReadMem"), OcrError, ["Tesseract failed", "pixReadMem"]),
    (RuntimeError("something else"), OcrError, ["Tesseract failed"]),
])
def test_tesseract_failures_become_checker_errors(fake_tesseract: dict[int, object], raised: Exception,
                                                  error: type[OcrError], words: list[str]) -> None:
    fake_tesseract[3] = raised
    with pytest.raises(error) as info:
        ocr.read_text(Image.new("L", (200, 100), 255), timeout=60)
    assert type(info.value) is error
    assert info.value.__cause__ is raised
    for word in words:
        assert word in info.value.message


@pytest.mark.parametrize(("languages", "words"), [
    ("eng+xyz", ["missing", "xyz", "tesseract-ocr-xyz"]),
    ("ita+eng+spa", ["ita, spa"]),
    ("eng;rm -rf /", ["invalid"]),
    ("", ["invalid"]),
])
def test_unusable_language_settings_are_named(fake_tesseract: dict[int, object], languages: str,
                                              words: list[str]) -> None:
    fake_tesseract[3] = LABEL
    with pytest.raises(OcrError) as info:
        ocr.read_text(Image.new("L", (200, 100), 255), languages=languages)
    for word in words:
        assert word in info.value.message


def test_read_text_returns_parsed_words_in_input_pixels(fake_tesseract: dict[int, object]) -> None:
    fake_tesseract[3] = LABEL
    result = ocr.read_text(Image.new("L", (700, 400), 255), scale=2.0, languages="deu+eng")
    assert result.text.startswith("Zutaten\nCalciumbutyrat 600 mg")
    assert result.words[0].bbox == (31, 34, 78, 13)
    assert (result.languages, result.engine, result.passes) == ("deu+eng", "tesseract 5.3.0", ("psm3",))


def test_a_good_first_pass_is_the_only_one(fake_tesseract: dict[int, object], label: imaging.LoadedImage,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    fake_tesseract[3] = LABEL
    fake_tesseract[6] = AssertionError("no second pass expected")
    monkeypatch.setattr(passes, "good_enough", lambda p: True)
    result = ocr.ocr_image(label)
    assert result.passes == ("default/psm3",)
    assert result.text.startswith("Zutaten\nCalciumbutyrat 600 mg")


def test_a_weak_first_pass_gets_a_second_one_merged_in(fake_tesseract: dict[int, object],
                                                       label: imaging.LoadedImage,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fake_tesseract[3] = LABEL
    fake_tesseract[6] = SECOND
    monkeypatch.setattr(passes, "good_enough", lambda p: False)
    result = ocr.ocr_image(label)
    assert result.passes == ("default/psm3", "default/psm6")
    assert "Calciumbutyrat 600 mg 1200 mg" in result.text
    assert result.seconds >= 0


def test_a_second_pass_that_times_out_keeps_the_first(fake_tesseract: dict[int, object],
                                                      label: imaging.LoadedImage,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fake_tesseract[3] = LABEL
    fake_tesseract[6] = RuntimeError("Tesseract process timeout")
    monkeypatch.setattr(passes, "good_enough", lambda p: False)
    result = ocr.ocr_image(label)
    assert result.passes == ("default/psm3",)
    assert result.text == ocr.parse_tsv(LABEL).text


def test_a_first_pass_that_times_out_is_an_error(fake_tesseract: dict[int, object],
                                                 label: imaging.LoadedImage) -> None:
    fake_tesseract[3] = RuntimeError("Tesseract process timeout")
    with pytest.raises(OcrTimeoutError):
        ocr.ocr_image(label, timeout=5)


def test_a_blank_image_gets_no_second_pass(fake_tesseract: dict[int, object]) -> None:
    fake_tesseract[3] = HEADER + "\n1\t1\t0\t0\t0\t0\t0\t0\t700\t400\t-1\t\n"
    fake_tesseract[6] = AssertionError("no second pass expected")
    blank = imaging.LoadedImage(image=Image.new("RGB", (700, 400), "white"), media_type="image/png",
                                width=700, height=400, sha256="0" * 64)
    result = ocr.ocr_image(blank)
    assert (result.text, result.words, result.mean_confidence, result.passes) == ("", (), 0.0,
                                                                                  ("default/psm3",))


def test_no_time_left_is_a_timeout(fake_tesseract: dict[int, object]) -> None:
    fake_tesseract[3] = LABEL
    with pytest.raises(OcrTimeoutError):
        ocr.read_text(Image.new("L", (200, 100), 255), timeout=0)


# ---------------------------------------------------------------- the photo candidates (straightened views)
GOOD_WORDS = ("Ingrediënten natriumbutyraat vulstof rijstmeel capsulewand hydroxypropylmethylcellulose "
              "antiklontermiddel siliciumdioxide gebruik neem dagelijks capsules met water buiten bereik van "
              "jonge kinderen bewaren koel droog donker bewaren niet boven voedingssupplement aanbevolen "
              "dagelijkse dosis overschrijden per capsule waarvan boterzuur").split()
NOISE_WORDS = "ueqqmmsed nwpdsaa ullonsaed ssɐʇ ɹnzɹǝʇoq uɐʌɹɐɐʍ".split() * 5


def _words_tsv(words: list[str], confidence: float, first_line: int = 1) -> str:
    rows = [f"5\t1\t1\t1\t{first_line + i // 8}\t{1 + i % 8}\t{60 + 110 * (i % 8)}"
            f"\t{60 + 40 * (first_line - 1 + i // 8)}\t100\t24\t{confidence}\t{w}"
            for i, w in enumerate(words)]
    return tsv(*rows)


def _view(name: str, width: int, relight: bool = True) -> imaging.PreparedImage:
    """A stand-in for a straightened view; its width tells the fake Tesseract which one it reads (its
    relit twin is 100 px wider)."""
    relit = (lambda: _view(f"{name}-light", width + 100, False)) if relight else None
    return imaging.PreparedImage(image=Image.new("L", (width, 600), 255), scale=1.0, name=name,
                                 mapping=geometry.PointMap((geometry.Scale(1.0, 1.0),)),
                                 input_size=(1000, 600), relight=relit)


# (view width, psm, languages) of every Tesseract run in photo_views; a local-threshold run adds "local"
CALLS: list[tuple] = []


@pytest.fixture
def photo_views(monkeypatch: pytest.MonkeyPatch) -> dict[tuple, str]:
    """Candidates straight (width 1001), turned (1002), light (1003), plain (1004), the last three
    rescues; outputs[(width, psm)] is the TSV Tesseract gives for that view (missing: blank), and
    outputs[(width, psm, "local")] the TSV of a run with the local threshold."""
    outputs: dict[tuple, str] = {}
    views = [("straight", 1001), ("straight-turned", 1002), ("straight-light", 1003), ("default", 1004)]
    monkeypatch.setattr(passes, "candidates", lambda image: [
        imaging.Candidate(name, (lambda n, w: lambda img: _view(n, w))(name, width), rescue=i > 0)
        for i, (name, width) in enumerate(views)])

    def run(image: Image.Image, languages: str, timeout: float, psm: int,
            threshold: int = passes.GLOBAL_THRESHOLD) -> str:
        key = (image.width, psm) if threshold == passes.GLOBAL_THRESHOLD else (image.width, psm, "local")
        CALLS.append((*key[:2], languages, *key[2:]))
        return outputs.get(key, tsv())

    CALLS.clear()

    monkeypatch.setattr(passes, "run_tsv", run)
    monkeypatch.setattr(engine, "available_languages", lambda: frozenset({"eng", "nld", "deu", "fra"}))
    monkeypatch.setattr(passes, "tesseract_version", lambda: "tesseract 5.3.0")
    monkeypatch.setattr(engine, "tesseract_version", lambda: "tesseract 5.3.0")
    return outputs


@pytest.mark.parametrize(("readings", "passes"), [
    # the straightened view reads well: nothing else is tried
    ({(1001, 3): GOOD_WORDS}, ("straight/psm3",)),
    # upside down: the first reading is noise, the view turned over reads well
    ({(1001, 3): NOISE_WORDS, (1002, 3): GOOD_WORDS}, ("straight/psm3", "straight-turned/psm3")),
])
def test_photo_preparations_are_tried_until_one_reads_well(
        photo_views: dict[tuple[int, int], str], label: imaging.LoadedImage,
        readings: dict[tuple[int, int], list[str]], passes: tuple[str, ...]) -> None:
    for key, words in readings.items():
        photo_views[key] = _words_tsv(words, 91.0 if words is GOOD_WORDS else 60.0)
    result = ocr.ocr_image(label)
    assert result.passes == passes
    assert result.text.split()[0] == "Ingrediënten"


def test_a_weak_photo_reading_gets_the_relit_view_and_a_psm6_pass_merged_in(
        photo_views: dict[tuple[int, int], str], label: imaging.LoadedImage) -> None:
    half = len(GOOD_WORDS) // 2
    photo_views[(1001, 3)] = _words_tsv(GOOD_WORDS[:half], 70.0)  # glare hid the rest
    photo_views[(1101, 3)] = _words_tsv(GOOD_WORDS[half:], 88.0, first_line=10)  # the relit view reads it
    photo_views[(1001, 6)] = _words_tsv(["Lotnummer"], 90.0, first_line=20)
    result = ocr.ocr_image(label)
    # the first reading is Dutch: the whole passes after it read in Dutch alone
    assert result.passes == ("straight/psm3", "straight-light/psm3/nld", "straight/psm6/nld")
    assert CALLS == [(1001, 3, "eng+nld+deu+fra"), (1101, 3, "nld"), (1001, 6, "nld")]
    words = result.text.split()
    assert set(GOOD_WORDS) | {"Lotnummer"} <= set(words)


def test_a_good_reading_that_left_text_unread_gets_only_the_rest_read_again(
        photo_views: dict[tuple[int, int], str], label: imaging.LoadedImage,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Image.Image] = []
    photo_views[(1001, 3)] = _words_tsv(GOOD_WORDS, 95.0)
    photo_views[(1001, 11)] = _words_tsv(["600", "mg"], 93.0, first_line=10)  # a table's amounts
    monkeypatch.setattr(passes, "_complete", lambda words, prepared: False)
    real_run = passes.run_tsv
    monkeypatch.setattr(passes, "run_tsv", lambda image, *a: seen.append(image) or real_run(image, *a))
    result = ocr.ocr_image(label)
    assert result.passes == ("straight/psm3", "straight-rest/psm11")
    assert {"600", "mg"} <= set(result.text.split()) and set(GOOD_WORDS) <= set(result.text.split())
    # the rest pass saw the view with every confidently read word painted white
    assert len(seen) == 2 and seen[1].getextrema() == (255, 255)


def test_a_faint_reading_is_read_again_with_a_local_threshold_before_the_rest(
        photo_views: dict[tuple[int, int], str], label: imaging.LoadedImage,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # a good but faint reading: glare turned a line white under the global threshold
    photo_views[(1001, 3)] = _words_tsv(GOOD_WORDS, 91.0)
    photo_views[(1001, 3, "local")] = _words_tsv(["Siliciumdioxide", "Lotnummer"], 92.0, first_line=10)
    photo_views[(1101, 11)] = _words_tsv(["600", "mg"], 93.0, first_line=20)  # the relit view's rest
    monkeypatch.setattr(passes, "_complete", lambda words, prepared: False)
    result = ocr.ocr_image(label)
    assert result.passes == ("straight/psm3", "straight-local/psm3", "straight-light-rest/psm11")
    assert CALLS[1] == (1001, 3, "eng+nld+deu+fra", "local")
    assert set(GOOD_WORDS) | {"Siliciumdioxide", "Lotnummer", "600", "mg"} <= set(result.text.split())


def test_a_confident_reading_gets_no_local_threshold_pass(
        photo_views: dict[tuple[int, int], str], label: imaging.LoadedImage,
        monkeypatch: pytest.MonkeyPatch) -> None:
    photo_views[(1001, 3)] = _words_tsv(GOOD_WORDS, 96.0)
    monkeypatch.setattr(passes, "_complete", lambda words, prepared: False)
    result = ocr.ocr_image(label)
    assert result.passes == ("straight/psm3", "straight-rest/psm11")
    assert all(len(call) == 3 for call in CALLS)


def test_at_most_three_preparations_are_read(photo_views: dict[tuple[int, int], str],
                                             label: imaging.LoadedImage) -> None:
    for width in (1001, 1002, 1003, 1004):
        photo_views[(width, 3)] = _words_tsv(NOISE_WORDS, 50.0)
    result = ocr.ocr_image(label)
    assert [p for p in result.passes if p.endswith("psm3")] == [
        "straight/psm3", "straight-turned/psm3", "straight-light/psm3"]


def test_background_work_starts_once_as_the_first_tesseract_run_starts(
        photo_views: dict[tuple[int, int], str], label: imaging.LoadedImage) -> None:
    photo_views[(1001, 3)] = _words_tsv(NOISE_WORDS, 60.0)  # noise: the turned view is read too
    photo_views[(1002, 3)] = _words_tsv(GOOD_WORDS, 91.0)
    runs_before: list[int] = []
    result = ocr.ocr_image(label, while_reading=lambda: runs_before.append(len(CALLS)))
    assert result.passes == ("straight/psm3", "straight-turned/psm3")
    assert runs_before == [0]
