"""Derived data (validated reference, fuzzy vocabulary) pickled on disk, keyed by a hash of its inputs.

A cache file is used only when its full key matches: the key is the sha256 of everything the value is
computed from (file contents, code, versions), so an edited YAML file or parser module is never served
stale. A missing, unreadable or corrupt file is ignored and rebuilt. CHECKER_CACHE_DIR=off disables it.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import checker

CACHE_ENV = "CHECKER_CACHE_DIR"  # a directory, or "off"
FORMAT = "checker-cache/1"
ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path | None:
    """CHECKER_CACHE_DIR, else <instance dir>/cache; None when switched off."""
    raw = os.environ.get(CACHE_ENV, "").strip()
    if raw.lower() in ("off", "0", "false", "none"):
        return None
    if raw:
        return Path(raw)
    instance = os.environ.get("CHECKER_INSTANCE_DIR", "").strip()
    return (Path(instance) if instance else ROOT / "instance") / "cache"


def fingerprint(*parts: bytes | str) -> str:
    """sha256 of the parts (each length-prefixed, so that parts cannot run into each other), the
    checker version and the Python version."""
    h = hashlib.sha256()
    for part in (FORMAT, checker.__version__, sys.version, *parts):
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def file_parts(paths: Iterable[Path]) -> list[bytes]:
    """Name and content of each file, in the given order (raises OSError when one cannot be read)."""
    out: list[bytes] = []
    for path in paths:
        out += [path.name.encode("utf-8"), path.read_bytes()]
    return out


def _path(directory: Path, name: str, key: str) -> Path:
    return directory / f"{name}-{key[:32]}.pickle"


def load(name: str, key: str) -> Any | None:  # noqa: ANN401 - any picklable value
    """The value stored under `name` for exactly this key, or None (absent, other key, corrupt)."""
    directory = cache_dir()
    if directory is None:
        return None
    path = _path(directory, name, key)
    try:
        with path.open("rb") as f:
            stored_key, value = pickle.load(f)  # noqa: S301 - our own cache dir, written by store()
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a truncated or foreign file is a miss, never an error
        _remove(path)
        return None
    return value if stored_key == key else None


def store(name: str, key: str, value: Any) -> None:  # noqa: ANN401
    """Write the value atomically (a reader never sees half a file); failures are ignored (read-only
    disk: the checker then simply builds the value each time)."""
    directory = cache_dir()
    if directory is None:
        return
    path = _path(directory, name, key)
    tmp = directory / f".{path.name}.{os.getpid()}.tmp"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tmp.open("wb") as f:
            pickle.dump((key, value), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        _remove(tmp)
        return
    for old in directory.glob(f"{name}-*.pickle"):  # earlier versions of the same data
        if old != path:
            _remove(old)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
