"""`python -m checker check`: one report per file in order, error lines for bad files, exit status."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import sample_labels as labels
from tests.render import render_label, to_bytes

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str | Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    # a C locale must not break reports full of accented label text
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "LC_ALL": "C", "LANG": "C", **extra_env}
    return subprocess.run([sys.executable, "-m", "checker", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=600)


def reports(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def assert_matches(report: dict, expected: dict) -> None:
    assert report["verdict"] == expected["verdict"], report["findings"]
    active = next(a for a in report["actives"] if a["id"] == expected["active"])
    assert active["per_day_mg_max"] == pytest.approx(expected["per_day_mg_max"], rel=0.02)
    assert expected["rules"] <= {f["rule"] for f in report["findings"]}


@pytest.mark.tesseract
def test_images_give_one_line_each_in_order_and_bad_files_an_error_line(tmp_path: Path) -> None:
    nl = tmp_path / "butyra.png"
    nl.write_bytes(to_bytes(render_label(labels.NL_PASS), "PNG"))
    en = tmp_path / "calm gut.jpg"
    en.write_bytes(to_bytes(render_label(labels.EN_FAIL), "JPEG", quality=92))
    fake = tmp_path / "notes.jpg"
    fake.write_text("this is text, not a photo")
    result = run_cli("check", nl, tmp_path / "missing.png", fake, en)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = reports(result.stdout)
    names = [r["input"]["filename"] for r in lines]
    assert names == ["butyra.png", "missing.png", "notes.jpg", "calm gut.jpg"]
    assert_matches(lines[0], labels.NL_PASS_EXPECTED)
    assert_matches(lines[3], labels.EN_FAIL_EXPECTED)
    assert [r["verdict"] for r in lines[1:3]] == [None, None]
    assert [r["error"]["code"] for r in lines[1:3]] == ["file_not_found", "unsupported_media_type"]
    assert lines[0]["id"] is None and lines[0]["schema"] == "label-check/1"


@pytest.fixture
def text_files(tmp_path: Path) -> list[Path]:
    files = []
    for name, text in (("nl.txt", labels.NL_PASS), ("de.txt", labels.DE_PASS), ("fr.txt", labels.FR_FAIL)):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def test_text_mode_checks_label_text_without_ocr(text_files: list[Path]) -> None:
    result = run_cli("check", "--text", *text_files)
    assert result.returncode == 0, result.stderr
    lines = reports(result.stdout)
    assert len(lines) == 3
    expectations = (labels.NL_PASS_EXPECTED, labels.DE_PASS_EXPECTED, labels.FR_FAIL_EXPECTED)
    for report, expected in zip(lines, expectations, strict=True):
        assert_matches(report, expected)
        assert report["ocr"] is None and report["input"]["media_type"] == "text/plain"
    assert "ocr" not in lines[0]["timings"]


def test_text_format_is_a_readable_summary(text_files: list[Path], tmp_path: Path) -> None:
    result = run_cli("check", "--text", "--format", "text", text_files[2], tmp_path / "gone.txt")
    assert result.returncode == 1
    first, second = result.stdout.strip().split("\n\n")
    assert first.startswith("fr.txt: FAIL")
    assert "claim.disease" in first and "sodium" in first.lower()
    assert second.startswith("gone.txt: ERROR file_not_found")
    assert not result.stdout.lstrip().startswith("{")


@pytest.mark.parametrize(("content", "code"), [
    (b"\x00\x01binary\x00", "not_text"),
    (None, "not_a_file"),  # a directory
])
def test_text_mode_refuses_what_is_not_text(tmp_path: Path, content: bytes | None, code: str) -> None:
    path = tmp_path / "label.txt"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    result = run_cli("check", "--text", path)
    assert result.returncode == 1
    assert reports(result.stdout)[0]["error"]["code"] == code


def test_a_bad_setting_gives_an_error_line_per_file(text_files: list[Path]) -> None:
    result = run_cli("check", "--text", *text_files[:2], CHECKER_OCR_TIMEOUT="soon")
    assert result.returncode == 1
    assert [r["error"]["code"] for r in reports(result.stdout)] == ["config_invalid"] * 2
    assert "CHECKER_OCR_TIMEOUT='soon'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    (),
    ("check",),
    ("check", "--format", "xml", "a.jpg"),
    ("inspect", "a.jpg"),
])
def test_bad_arguments_give_usage_not_a_traceback(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: python -m checker") and "error:" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_help_describes_the_command() -> None:
    result = run_cli("check", "--help")
    assert result.returncode == 0
    assert "--format {jsonl,text}" in result.stdout and "--text" in result.stdout
