#!/usr/bin/env bash
# Prepare this checkout to run: a Python >= 3.11 venv with the pinned requirements, and Tesseract 5
# with the eng/nld/deu/fra languages. Safe to run again: it only does what is missing or changed.
#
# Usage: scripts/setup.sh [--dev] [--no-tesseract] [--tesseract-only]
#   --dev             also install requirements-dev.txt (tests, lint) and the DejaVu fonts the tests
#                     render labels with
#   --no-tesseract    skip the Tesseract check (lint needs no OCR)
#   --tesseract-only  only check/install Tesseract
# Environment: PYTHON (default python3), VENV (default <repo>/.venv)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac  # relative to the checkout, like the Makefile
MIN_PYTHON="3.11"
TESS_LANGS=(eng nld deu fra)
TESS_PACKAGES=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-nld tesseract-ocr-deu tesseract-ocr-fra)
# where tests/render.py looks for DejaVu Sans (Pillow's fallback font has no accented letters)
read -r -a FONT_DIRS <<<"${DEJAVU_DIRS:-/usr/share/fonts/truetype/dejavu /usr/share/fonts/dejavu}"

DEV=0
TESSERACT=1
PYTHON_ENV=1
APT_UPDATED=0

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf '\nsetup: ERROR: %s\n\n' "$*" >&2; exit 1; }

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

parse_args() {
    while [ $# -gt 0 ]; do
        case "$1" in
            --dev) DEV=1 ;;
            --no-tesseract) TESSERACT=0 ;;
            --tesseract-only) PYTHON_ENV=0 ;;
            -h|--help) usage; exit 0 ;;
            *) usage >&2; die "unknown option: $1" ;;
        esac
        shift
    done
}

# ---------------------------------------------------------------- system packages (Debian/Ubuntu)
have_apt() { command -v apt-get >/dev/null 2>&1; }

as_root() {
    if [ "$(id -u)" = "0" ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run: $* (run this as root, or install sudo)"
    fi
}

apt_install() {
    if [ "$APT_UPDATED" = 0 ]; then
        say "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# ---------------------------------------------------------------- Python and the venv
python_ok() {  # $1: interpreter; true when it runs and is new enough
    "$1" -c "import sys; sys.exit(sys.version_info < tuple(map(int, '$MIN_PYTHON'.split('.'))))" \
        >/dev/null 2>&1
}

ensure_python() {
    python_ok "$PYTHON" && return 0
    if have_apt; then
        say "no Python >= $MIN_PYTHON as '$PYTHON'; installing python3 with apt-get"
        apt_install python3 python3-venv
        python_ok "$PYTHON" && return 0
    fi
    die "Python >= $MIN_PYTHON is needed as '$PYTHON' on PATH.
  Mac:            brew install python@3.12
  Debian/Ubuntu:  sudo apt-get install python3 python3-venv
  Or point PYTHON at one: make run PYTHON=/path/to/python3.12"
}

ensure_venv() {
    if [ -x "$VENV/bin/python" ] && python_ok "$VENV/bin/python"; then
        return 0
    fi
    if [ -e "$VENV" ]; then
        [ -f "$VENV/pyvenv.cfg" ] || die "$VENV exists but is not a virtualenv; move it away and retry"
        say "$VENV is broken or too old; recreating it"
        rm -rf "$VENV"
    fi
    say "creating $VENV with $("$PYTHON" --version 2>&1)"
    if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
        rm -rf "$VENV"
        have_apt || die "'$PYTHON -m venv' failed; install the venv module of your Python"
        # Debian splits venv/ensurepip out of python3
        apt_install python3-venv
        "$PYTHON" -m venv "$VENV" || die "'$PYTHON -m venv' failed even after installing python3-venv"
    fi
}

files_hash() {  # sha256 of the given files, computed by the venv's Python (works on Linux and Mac)
    "$VENV/bin/python" - "$@" <<'PY'
import hashlib, sys
h = hashlib.sha256()
for name in sys.argv[1:]:
    with open(name, "rb") as fh:
        h.update(fh.read())
print(h.hexdigest())
PY
}

ensure_requirements() {
    local req="$ROOT/requirements.txt" stamp="$VENV/.requirements.stamp"
    local files=("$ROOT/requirements.txt")
    if [ "$DEV" = 1 ]; then
        req="$ROOT/requirements-dev.txt"
        stamp="$VENV/.requirements-dev.stamp"
        files+=("$ROOT/requirements-dev.txt")
    fi
    local want
    want="$(files_hash "${files[@]}")"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    say "installing $(basename "$req") into $VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$req"
    printf '%s\n' "$want" >"$stamp"
    if [ "$DEV" = 1 ]; then  # requirements-dev.txt includes requirements.txt
        files_hash "$ROOT/requirements.txt" >"$VENV/.requirements.stamp"
    fi
}

# ---------------------------------------------------------------- Tesseract
missing_languages() {  # prints the languages of TESS_LANGS that tesseract lacks
    local have
    have="$(tesseract --list-langs 2>&1 || true)"
    local lang
    for lang in "${TESS_LANGS[@]}"; do
        grep -qx "$lang" <<<"$have" || printf '%s ' "$lang"
    done
}

tesseract_missing() {  # prints what is missing ("" when Tesseract and every language are there)
    if ! command -v tesseract >/dev/null 2>&1; then
        printf 'tesseract %s' "${TESS_LANGS[*]}"
        return 0
    fi
    local langs
    langs="$(missing_languages)"
    printf '%s' "${langs% }"
}

tesseract_help() {
    cat >&2 <<MSG

setup: Tesseract OCR 5 with the languages ${TESS_LANGS[*]} is needed (missing: $1).
  Mac (Homebrew):   brew install tesseract tesseract-lang
  Debian/Ubuntu:    sudo apt-get install ${TESS_PACKAGES[*]}
  Fedora:           sudo dnf install tesseract tesseract-langpack-nld tesseract-langpack-deu tesseract-langpack-fra
  Windows:          https://github.com/UB-Mannheim/tesseract/wiki (tick the four languages)
Then run the make command again.

MSG
}

ensure_tesseract() {
    local missing
    missing="$(tesseract_missing)"
    if [ -n "$missing" ]; then
        if ! have_apt; then
            tesseract_help "$missing"
            exit 1
        fi
        say "Tesseract or languages missing ($missing); installing with apt-get"
        apt_install "${TESS_PACKAGES[@]}"
        missing="$(tesseract_missing)"
        if [ -n "$missing" ]; then
            tesseract_help "$missing"
            exit 1
        fi
    fi
    local version
    version="$(tesseract --version 2>&1 || true)"
    version="${version%%$'\n'*}"  # first line (no `| head`: SIGPIPE would fail under pipefail)
    case "$version" in
        "tesseract 5"*|"tesseract v5"*|"tesseract "[6-9]*) ;;
        *) say "warning: found '$version'; the checker is tested with Tesseract 5" ;;
    esac
}

# ---------------------------------------------------------------- fonts for the test renders
have_dejavu() {
    local dir
    for dir in "${FONT_DIRS[@]}"; do
        [ -f "$dir/DejaVuSans.ttf" ] && return 0
    done
    return 1
}

ensure_test_fonts() {
    have_dejavu && return 0
    if have_apt; then
        apt_install fonts-dejavu-core
    else
        say "note: DejaVu Sans not found; test labels are rendered with another font"
    fi
}

# ---------------------------------------------------------------- browser for the browser tests
ensure_test_browser() {
    [ -n "${CHECKER_CHROMIUM:-}" ] && [ -x "${CHECKER_CHROMIUM}" ] && return 0
    command -v chromium >/dev/null 2>&1 && return 0
    if have_apt; then
        apt_install chromium
    else
        say "note: Chromium not found; the browser tests need it (set CHECKER_CHROMIUM to its path)"
    fi
}

main() {
    parse_args "$@"
    if [ "$PYTHON_ENV" = 1 ]; then
        ensure_python
        ensure_venv
        ensure_requirements
    fi
    if [ "$TESSERACT" = 1 ]; then
        ensure_tesseract
        if [ "$DEV" = 1 ]; then
            ensure_test_fonts
            ensure_test_browser
        fi
    fi
}

main "$@"
