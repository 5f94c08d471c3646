"""Image fuzzer: mutated and odd real label images give an image or a clear refusal, never a crash or 5xx."""
from __future__ import annotations

import io
import random
import struct
import time
import zlib
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pytest
from flask.testing import FlaskClient
from PIL import Image

from checker import imaging, ocr
from checker.errors import CheckerError
from tests.render import render_label, to_bytes

REFUSED_STATUSES = {400, 413, 415}
OCR_TIMEOUT = 20.0  # s: small, so a runaway OCR shows; a small label reads in about 1 s
MAX_OCR_RUNS = 6
RANDOM_OCR_RUNS = 3  # decodable random mutants sent through the whole API (the rest fail fast)
MUTANTS_PER_BASE = 60
LABEL = ["Butyrate Plus", "Ingrediënten: natriumbutyraat 600 mg, rijstmeel.", "Neem 1 capsule per dag."]


@lru_cache(maxsize=1)
def label_image() -> Image.Image:
    return render_label(LABEL, width=480, font_size=18, margin=20).convert("RGB")


# ---------------------------------------------------------------- special but valid-looking images
def _frames() -> list[Image.Image]:
    """Three different frames (encoders merge identical ones); only the first is upright."""
    base = label_image()
    return [base, base.rotate(180), base.transpose(Image.Transpose.FLIP_TOP_BOTTOM)]


def _animated(fmt: str, **params: object) -> bytes:
    frames = _frames()
    buf = io.BytesIO()
    frames[0].save(buf, format=fmt, save_all=True, append_images=frames[1:], duration=100, **params)
    return buf.getvalue()


def _sixteen_bit_png() -> bytes:
    gray = np.asarray(label_image().convert("L"), dtype=np.uint16) * 257
    return to_bytes(Image.fromarray(gray), "PNG")


def _palette_with_transparency() -> bytes:
    pal = label_image().quantize(8)
    white = max(range(8), key=lambda i: sum(pal.getpalette()[3 * i:3 * i + 3]))
    return to_bytes(pal, "PNG", transparency=white)


def _transparent_text_on_nothing() -> bytes:
    gray = label_image().convert("L")
    rgba = Image.new("RGBA", gray.size, (0, 0, 0, 0))
    rgba.putalpha(Image.eval(gray, lambda v: 255 - v))  # black text, fully transparent background
    return to_bytes(rgba, "PNG")


def _float_tiff(top: float) -> bytes:
    """A 32-bit float TIFF whose white is `top` (1.0 for normalised samples, 255.0 for 8-bit ones)."""
    arr = np.asarray(label_image().convert("L"), dtype=np.float32) * (top / 255.0)
    return to_bytes(Image.fromarray(arr, "F"), "TIFF")


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_with_ihdr(width: int, height: int, *, fix_crc: bool = True) -> bytes:
    data = bytearray(to_bytes(label_image(), "PNG"))
    struct.pack_into(">II", data, 16, width, height)
    if fix_crc:
        struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def _ztxt_bomb() -> bytes:
    png = to_bytes(label_image(), "PNG")
    chunk = _png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(bytes(64 * 1024 * 1024), 9))
    return png[:33] + chunk + png[33:]


def _jpeg_with_size(width: int, height: int) -> bytes:
    data = bytearray(to_bytes(label_image(), "JPEG", quality=80))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def _bmp_with_size(width: int, height: int) -> bytes:
    data = bytearray(to_bytes(label_image(), "BMP"))
    struct.pack_into("<ii", data, 18, width, height)
    return bytes(data)


def _broken_exif_jpeg() -> bytes:
    jpeg = to_bytes(label_image(), "JPEG", quality=80)
    app1 = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12\x00\x03\xff\xff\xff\xff"
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:]


# (id, bytes builder, expected: "ok" or the HTTP status(es) of the refusal); pytest.param for known bugs
SPECIAL: list = [
    ("animated-webp", lambda: _animated("WEBP", lossless=True), "ok"),
    ("apng", lambda: _animated("PNG"), "ok"),
    ("multi-page-tiff", lambda: _animated("TIFF"), "ok"),
    ("cmyk-jpeg", lambda: to_bytes(label_image().convert("CMYK"), "JPEG", quality=85), "ok"),
    ("16-bit-png", _sixteen_bit_png, "ok"),
    ("palette-transparency-png", _palette_with_transparency, "ok"),
    ("transparent-background-png", _transparent_text_on_nothing, "ok"),
    ("float-tiff-0-255", lambda: _float_tiff(255.0), "ok"),
    ("float-tiff-0-1", lambda: _float_tiff(1.0), "ok"),
    ("one-bit-bmp", lambda: to_bytes(label_image().convert("1"), "BMP"), "ok"),
    ("progressive-jpeg", lambda: to_bytes(label_image(), "JPEG", progressive=True), "ok"),
    ("broken-exif-jpeg", _broken_exif_jpeg, "ok"),
    ("animated-gif", lambda: _animated("GIF"), 415),
    ("1x1-png", lambda: to_bytes(Image.new("RGB", (1, 1), "white"), "PNG"), 400),
    ("30000x10-strip", lambda: to_bytes(Image.new("L", (30000, 10), 255), "PNG"), 413),
    ("huge-declared-png", lambda: _png_with_ihdr(100_000, 100_000), 413),
    ("huge-declared-png-bad-crc", lambda: _png_with_ihdr(100_000, 100_000, fix_crc=False), (400, 413)),
    ("huge-declared-jpeg", lambda: _jpeg_with_size(65_000, 65_000), 413),
    ("huge-declared-bmp", lambda: _bmp_with_size(100_000, 100_000), 413),
    ("ztxt-bomb-png", _ztxt_bomb, (400, 413)),
    ("empty", lambda: b"", 400),
    ("text-renamed-jpg", lambda: b"Ingredients: sodium butyrate 600 mg\n" * 20, 415),
    ("html", lambda: b"<!doctype html><script>alert(1)</script>", 415),
    ("pdf-header-only", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", (400, 415)),
    ("heic-brand", lambda: b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), (400, 415)),
]


def _id(case: tuple | object) -> str:
    return case.values[0] if hasattr(case, "values") else case[0]


def _cases() -> list[tuple[str, Callable[[], bytes], int | str | tuple[int, ...]]]:
    return [case.values if hasattr(case, "values") else case for case in SPECIAL]


# ---------------------------------------------------------------- random mutations
def _bit_flips(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 24)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(1, len(data))]


def _corrupt_header(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        out[rng.randrange(min(64, len(out)))] = rng.randrange(256)
    return bytes(out)


def _random_chunk(data: bytes, rng: random.Random) -> bytes:
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 4096))
    op = rng.choice(("insert", "delete", "duplicate", "overwrite"))
    if op == "insert":
        return data[:a] + rng.randbytes(rng.randint(1, 4096)) + data[a:]
    if op == "delete":
        return data[:a] + data[b:]
    if op == "duplicate":
        return data[:b] + data[a:b] + data[b:]
    return data[:a] + rng.randbytes(b - a) + data[b:]


MUTATIONS = (_bit_flips, _truncate, _corrupt_header, _random_chunk)
BASES = {"png": lambda: to_bytes(label_image(), "PNG"), "jpeg": lambda: to_bytes(label_image(), "JPEG"),
         "webp": lambda: to_bytes(label_image(), "WEBP", quality=80),
         "tiff": lambda: to_bytes(label_image(), "TIFF", compression="tiff_lzw")}


@lru_cache(maxsize=1)
def random_mutants() -> list[tuple[str, bytes]]:
    out = []
    for base_name, build in BASES.items():
        base = build()
        rng = random.Random(f"fuzz-{base_name}")
        for n in range(MUTANTS_PER_BASE):
            mutate = MUTATIONS[n % len(MUTATIONS)]
            out.append((f"{base_name}-{mutate.__name__.strip('_')}-{n}", mutate(base, rng)))
    return out


# ---------------------------------------------------------------- load_image
def _load(data: bytes) -> imaging.LoadedImage | CheckerError:
    try:
        return imaging.load_image(data, "upload.jpg")
    except CheckerError as e:
        return e


def _assert_good_outcome(name: str, outcome: imaging.LoadedImage | CheckerError) -> None:
    if isinstance(outcome, CheckerError):
        assert outcome.http_status in REFUSED_STATUSES, (name, outcome.code, outcome.http_status)
        assert outcome.code and outcome.message.strip(), name
        return
    assert outcome.image.mode == "RGB", name
    assert (outcome.width, outcome.height) == outcome.image.size, name
    side = sorted(outcome.image.size)
    assert imaging.load.MIN_SIDE <= side[0] and side[1] <= imaging.load.MAX_SIDE


@pytest.mark.parametrize(("name", "build", "expected"), SPECIAL, ids=[_id(s) for s in SPECIAL])
def test_special_images_load_or_are_refused_clearly(name: str, build: Callable[[], bytes],
                                                    expected: int | str | tuple[int, ...]):
    started = time.perf_counter()
    outcome = _load(build())
    assert time.perf_counter() - started < 10, "a refusal must come from the header, not a full decode"
    _assert_good_outcome(name, outcome)
    if expected == "ok":
        assert not isinstance(outcome, CheckerError), (name, outcome)
        dark = np.asarray(outcome.image.convert("L")) < 128
        assert 0.005 < dark.mean() < 0.5, f"{name}: the text did not survive the conversion to RGB"
    else:
        assert isinstance(outcome, CheckerError), name
        allowed = expected if isinstance(expected, tuple) else (expected,)
        assert outcome.http_status in allowed, (name, outcome.code, outcome.message)


def test_multi_frame_images_say_how_many_frames_and_use_the_first():
    for fmt, params in (("WEBP", {"lossless": True}), ("PNG", {}), ("TIFF", {})):
        loaded = imaging.load_image(_animated(fmt, **params))
        assert loaded.frames == 3, fmt
        top = np.asarray(loaded.image.convert("L"))[: loaded.height // 4]
        # the first frame is upright: its title line is at the top (the others are turned over)
        assert (top < 128).mean() > 0.002, fmt


def test_random_mutants_load_or_are_refused_clearly():
    decoded = 0
    for name, data in random_mutants():
        outcome = _load(data)
        _assert_good_outcome(name, outcome)
        if not isinstance(outcome, CheckerError):
            decoded += 1
            prepared = imaging.prepare(outcome.image)  # the OCR preparation must cope with damage too
            assert prepared.image.size[0] > 0 and prepared.scale > 0, name
    assert 0 < decoded < len(random_mutants()), "the mutants should include both damaged and readable ones"


# ---------------------------------------------------------------- the API
@pytest.fixture
def app_config(app_config: dict) -> dict:
    return {**app_config, "OCR_TIMEOUT": OCR_TIMEOUT}


@pytest.fixture
def ocr_runs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Seconds of every OCR run the requests make."""
    runs: list[float] = []
    real = ocr.ocr_image

    def timed(*args: object, **kwargs: object):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            runs.append(time.perf_counter() - started)

    monkeypatch.setattr(ocr, "ocr_image", timed)
    return runs


def _post(client: FlaskClient, name: str, data: bytes) -> None:
    response = client.post("/api/v1/checks", data={"file": (io.BytesIO(data), f"{name}.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code < 500, (name, response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json, (name, response.status_code)
    body = response.get_json()
    if response.status_code == 200:
        assert body["verdict"] in {"pass", "review", "fail", "unreadable"}, (name, body.get("error"))
        assert body["id"], name
    else:
        assert response.status_code in REFUSED_STATUSES, (name, response.status_code, body)
        assert body["error"]["code"] and body["error"]["message"].strip(), (name, body)


@pytest.mark.tesseract
def test_api_never_answers_5xx_to_mutated_images(api_client: FlaskClient, ocr_runs: list[float]):
    readable: list[tuple[str, bytes]] = []
    for name, data in random_mutants():
        if isinstance(_load(data), CheckerError):
            _post(api_client, name, data)  # refused before any OCR
        elif len(readable) < RANDOM_OCR_RUNS:
            readable.append((name, data))
    specials = [(name, build()) for name, build, expected in _cases()]
    for name, data in specials:
        if isinstance(_load(data), CheckerError):
            _post(api_client, name, data)
    assert ocr_runs == [], "refused uploads must never reach the OCR"
    # odd modes are all RGB after load_image; a few of them still go through the whole pipeline
    chosen = readable + [(name, data) for name, data in specials
                         if name in ("animated-webp", "cmyk-jpeg", "16-bit-png")]
    for name, data in chosen[:MAX_OCR_RUNS]:
        _post(api_client, name, data)
    assert 0 < len(ocr_runs) <= MAX_OCR_RUNS
    assert max(ocr_runs) <= OCR_TIMEOUT + 2, f"an OCR run took {max(ocr_runs):.1f} s"
