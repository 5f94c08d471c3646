"""scripts/setup.sh does only what is missing: apt-get only when Tesseract or a language is absent,
sudo only when not root, pip only when a requirements file changed, and clear advice otherwise."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "setup.sh"
ALL_LANGS = "eng nld deu fra osd"
# real tools the script may call; everything else on PATH is a fake
TOOLS = ("bash", "dirname", "grep", "head", "sed", "cat", "env", "basename", "rm", "tr", "ln")

FAKE_TESSERACT = """#!/bin/bash
case "$1" in
  --version) echo "tesseract ${FAKE_TESS_VERSION:-5.3.0}"; echo " leptonica-1.82.0" ;;
  --list-langs) echo 'List of available languages in "/x/" (n):'; tr ' ' '\\n' < "$FAKE/langs" ;;
esac
"""
# "installs" by making every language available (unless told the install does not help)
FAKE_APT = """#!/bin/bash
echo "apt-get DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-unset} $*" >> "$FAKE/log"
if [ "$1" = install ] && [ -z "${FAKE_APT_BROKEN:-}" ]; then
  echo "eng nld deu fra osd" > "$FAKE/langs"
  ln -sf "$FAKE/tesseract.real" "$FAKE/bin/tesseract"
fi
"""
FAKE_SUDO = """#!/bin/bash
echo "sudo $1" >> "$FAKE/log"
exec "$@"
"""
FAKE_VENV_PYTHON = """#!/bin/bash
if [ "$1" = -m ] && [ "$2" = pip ]; then echo "pip ${*:3}" >> "$FAKE/log"; exit 0; fi
exec {python} "$@"
"""


@dataclass
class Machine:
    """A fake machine: a temp checkout with the script, and a PATH of fakes plus a few real tools."""

    root: Path
    fake: Path

    @property
    def log(self) -> list[str]:
        path = self.fake / "log"
        return path.read_text().splitlines() if path.exists() else []

    def add(self, name: str, body: str) -> None:
        path = self.fake / "bin" / name
        path.unlink(missing_ok=True)  # never write through a link to a real tool
        path.write_text(body)
        path.chmod(0o755)

    def tesseract(self, langs: str | None) -> None:
        """Install the fake tesseract with `langs`, or none at all (None)."""
        (self.fake / "langs").write_text(langs or ALL_LANGS)
        real = self.fake / "tesseract.real"
        real.write_text(FAKE_TESSERACT)
        real.chmod(0o755)
        if langs is not None:
            (self.fake / "bin" / "tesseract").symlink_to(real)

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        environ = {"PATH": str(self.fake / "bin"), "FAKE": str(self.fake), "HOME": str(self.root), **env}
        return subprocess.run(["bash", str(self.root / "scripts" / "setup.sh"), *args], env=environ,
                              capture_output=True, text=True, timeout=60)


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    root, fake = tmp_path / "repo", tmp_path / "fake"
    (root / "scripts").mkdir(parents=True)
    (fake / "bin").mkdir(parents=True)
    shutil.copy(SCRIPT, root / "scripts" / "setup.sh")
    (root / "requirements.txt").write_text("Flask==3.1.3\n")
    (root / "requirements-dev.txt").write_text("-r requirements.txt\npytest==9.2.0\n")
    for tool in TOOLS:
        (fake / "bin" / tool).symlink_to(shutil.which(tool))
    (fake / "bin" / "python3").symlink_to(sys.executable)
    m = Machine(root, fake)
    m.add("id", "#!/bin/bash\necho 0\n")  # root, as in CI
    return m


def with_apt(m: Machine) -> Machine:
    m.add("apt-get", FAKE_APT)
    return m


def test_tesseract_with_all_languages_needs_no_apt(machine: Machine) -> None:
    with_apt(machine).tesseract(ALL_LANGS)
    result = machine.run("--tesseract-only")
    assert result.returncode == 0, result.stderr
    assert machine.log == []


@pytest.mark.parametrize(("langs", "missing"), [
    ("eng osd", "nld deu fra"),  # Debian's tesseract-ocr brings only eng
    ("eng nld deu", "fra"),
    (None, "tesseract"),  # not installed at all
])
def test_missing_parts_are_installed_with_apt_get(machine: Machine, langs: str | None, missing: str) -> None:
    with_apt(machine).tesseract(langs)
    result = machine.run("--tesseract-only")
    assert result.returncode == 0, result.stderr
    assert missing in result.stderr
    assert machine.log == [
        "apt-get DEBIAN_FRONTEND=noninteractive update -q",
        "apt-get DEBIAN_FRONTEND=noninteractive install -y -q --no-install-recommends tesseract-ocr "
        "tesseract-ocr-eng tesseract-ocr-nld tesseract-ocr-deu tesseract-ocr-fra",
    ]


def test_not_root_uses_sudo(machine: Machine) -> None:
    with_apt(machine).tesseract("eng")
    machine.add("id", "#!/bin/bash\necho 1000\n")
    machine.add("sudo", FAKE_SUDO)
    result = machine.run("--tesseract-only")
    assert result.returncode == 0, result.stderr
    assert machine.log[0] == "sudo env"
    assert machine.log[1].startswith("apt-get DEBIAN_FRONTEND=noninteractive update")


def test_not_root_without_sudo_says_so(machine: Machine) -> None:
    with_apt(machine).tesseract("eng")
    machine.add("id", "#!/bin/bash\necho 1000\n")
    result = machine.run("--tesseract-only")
    assert result.returncode == 1
    assert "need root" in result.stderr and machine.log == []


def test_without_apt_get_it_tells_a_mac_user_what_to_run(machine: Machine) -> None:
    machine.tesseract(None)
    result = machine.run("--tesseract-only")
    assert result.returncode == 1
    assert "brew install tesseract tesseract-lang" in result.stderr
    assert "apt-get install tesseract-ocr tesseract-ocr-eng" in result.stderr  # advice for Linux too


def test_an_install_that_does_not_help_fails_clearly(machine: Machine) -> None:
    with_apt(machine).tesseract("eng")
    result = machine.run("--tesseract-only", FAKE_APT_BROKEN="1")
    assert result.returncode == 1
    assert "missing: nld deu fra" in result.stderr


def test_old_tesseract_is_a_warning_not_a_failure(machine: Machine) -> None:
    with_apt(machine).tesseract(ALL_LANGS)
    result = machine.run("--tesseract-only", FAKE_TESS_VERSION="4.1.1")
    assert result.returncode == 0
    assert "tested with Tesseract 5" in result.stderr and machine.log == []


def _fake_venv(m: Machine) -> Path:
    venv = m.root / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    python = venv / "bin" / "python"
    python.write_text(FAKE_VENV_PYTHON.replace("{python}", sys.executable))
    python.chmod(0o755)
    return venv


def test_requirements_are_installed_only_when_they_change(machine: Machine) -> None:
    _fake_venv(machine)
    assert machine.run("--no-tesseract").returncode == 0
    assert machine.log == ["pip install --disable-pip-version-check -q -r "
                           f"{machine.root / 'requirements.txt'}"]
    assert machine.run("--no-tesseract").returncode == 0
    assert len(machine.log) == 1  # unchanged: no pip
    (machine.root / "requirements.txt").write_text("Flask==3.1.4\n")
    assert machine.run("--no-tesseract").returncode == 0
    assert len(machine.log) == 2


def test_dev_requirements_have_their_own_stamp(machine: Machine) -> None:
    _fake_venv(machine)
    assert machine.run("--no-tesseract", "--dev").returncode == 0
    assert machine.log[-1].endswith("requirements-dev.txt")
    assert machine.run("--no-tesseract").returncode == 0  # runtime set is part of dev: no pip
    assert machine.run("--no-tesseract", "--dev").returncode == 0
    assert len(machine.log) == 1


def test_python_too_old_without_apt_explains(machine: Machine) -> None:
    machine.add("python3", "#!/bin/bash\nexit 1\n")  # replaces the real python3 link
    result = machine.run("--no-tesseract")
    assert result.returncode == 1
    assert "Python >= 3.11" in result.stderr and "brew install python" in result.stderr


def test_unknown_option_is_refused(machine: Machine) -> None:
    result = machine.run("--fast")
    assert result.returncode == 1 and "unknown option: --fast" in result.stderr


def test_makefile_targets_call_the_script() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run:", "test:", "lint:"):
        assert target in makefile
    assert "bench:" in makefile  # benchmarks are a separate target, never part of `make test`
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "bench" not in test_recipe
    assert os.access(ROOT / ".ci" / "run", os.R_OK)


@pytest.mark.parametrize(("font_present", "args", "installs_fonts"), [
    (True, ("--tesseract-only", "--dev"), False),
    (False, ("--tesseract-only", "--dev"), True),
    (False, ("--tesseract-only",), False),  # `make run` renders nothing
])
def test_test_fonts_are_installed_for_the_tests_only(machine: Machine, tmp_path: Path, font_present: bool,
                                                     args: tuple[str, ...], installs_fonts: bool) -> None:
    with_apt(machine).tesseract(ALL_LANGS)
    machine.add("chromium", "#!/bin/bash\necho Chromium 1\n")  # the browser is covered below
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    if font_present:
        (fonts / "DejaVuSans.ttf").write_bytes(b"")
    result = machine.run(*args, DEJAVU_DIRS=f"/nonexistent {fonts}")
    assert result.returncode == 0, result.stderr
    apt = "apt-get DEBIAN_FRONTEND=noninteractive"
    expected = [f"{apt} update -q", f"{apt} install -y -q --no-install-recommends fonts-dejavu-core"]
    assert machine.log == (expected if installs_fonts else [])


@pytest.mark.parametrize(("browser_present", "args", "installs_browser"), [
    (True, ("--tesseract-only", "--dev"), False),
    (False, ("--tesseract-only", "--dev"), True),
    (False, ("--tesseract-only",), False),  # `make run` needs no browser
])
def test_chromium_is_installed_for_the_browser_tests_only(machine: Machine, tmp_path: Path,
                                                          browser_present: bool, args: tuple[str, ...],
                                                          installs_browser: bool) -> None:
    with_apt(machine).tesseract(ALL_LANGS)
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / "DejaVuSans.ttf").write_bytes(b"")
    if browser_present:
        machine.add("chromium", "#!/bin/bash\necho Chromium 1\n")
    result = machine.run(*args, DEJAVU_DIRS=str(fonts))
    assert result.returncode == 0, result.stderr
    apt = "apt-get DEBIAN_FRONTEND=noninteractive"
    expected = [f"{apt} update -q", f"{apt} install -y -q --no-install-recommends chromium"]
    assert machine.log == (expected if installs_browser else [])
