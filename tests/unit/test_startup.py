"""`python -m checker check` loads only what its path needs: no web stack, no imaging for --text."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY_WEB = {"flask", "sqlalchemy", "celery", "alembic", "waitress"}
HEAVY_IMAGE = {"cv2", "numpy", "pytesseract", "zxingcpp", "pypdfium2", "pillow_heif"}
PROBE = """
import json, sys
from checker.cli import main
main(sys.argv[1:], stdout=open("/dev/null", "w"))
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


@pytest.mark.parametrize("text_mode, absent", [(True, HEAVY_WEB | HEAVY_IMAGE), (False, HEAVY_WEB)])
def test_check_imports_only_its_path(tmp_path: Path, text_mode: bool, absent: set[str]) -> None:
    if text_mode:
        target = tmp_path / "label.txt"
        target.write_text("Ingredients: sodium butyrate 600 mg. Take 1 capsule a day.", encoding="utf-8")
        args = ["check", "--text", str(target)]
    else:
        args = ["check", str(tmp_path / "missing.png")]  # no web stack on the image path either
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout
    loaded = set(json.loads(out.splitlines()[-1]))
    assert not loaded & absent
