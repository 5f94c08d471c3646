"""The on-disk cache of the validated reference and the fuzzy vocabulary: honest (keyed by content),
robust (a corrupt file is rebuilt) and switchable off."""
from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import pytest

from checker import cache
from checker.parsing import fuzzy
from checker.reference import REFERENCE_DIR, ReferenceData, load_cached_reference, reference_key


@pytest.fixture
def ref_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of reference/ and an empty cache directory of its own."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    return Path(shutil.copytree(REFERENCE_DIR, tmp_path / "reference"))


def _cache_files(tmp_path: Path, name: str) -> list[Path]:
    return sorted((tmp_path / "cache").glob(f"{name}-*.pickle"))


def test_second_load_reads_the_validated_reference_back(ref_dir: Path, tmp_path: Path) -> None:
    first = load_cached_reference(ref_dir)
    assert len(_cache_files(tmp_path, "reference")) == 1
    second = load_cached_reference(ref_dir)
    assert second == first and second is not first
    assert reference_key(second) == reference_key(first) is not None


def test_an_edited_yaml_file_is_never_served_from_the_cache(ref_dir: Path, tmp_path: Path) -> None:
    before = load_cached_reference(ref_dir)
    path = ref_dir / "sources.yaml"  # holds the top-level "version:" key
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^version:.*$", "version: edited-by-test", text, count=1), encoding="utf-8")
    edited = load_cached_reference(ref_dir)
    assert edited.version == "edited-by-test" != before.version
    assert reference_key(edited) != reference_key(before)


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05truncated"])
def test_a_corrupt_cache_file_is_ignored_and_rebuilt(ref_dir: Path, tmp_path: Path, damage: bytes) -> None:
    good = load_cached_reference(ref_dir)
    [path] = _cache_files(tmp_path, "reference")
    path.write_bytes(damage)
    again = load_cached_reference(ref_dir)
    assert again == good
    assert path.read_bytes() != damage  # written anew


def test_a_file_stored_under_another_key_is_not_used(ref_dir: Path, tmp_path: Path) -> None:
    good = load_cached_reference(ref_dir)
    [path] = _cache_files(tmp_path, "reference")
    path.write_bytes(pickle.dumps(("another key", good.model_copy(update={"version": "stale"}))))
    assert load_cached_reference(ref_dir).version == good.version


def test_a_cached_value_of_the_wrong_type_is_not_used(ref_dir: Path, tmp_path: Path) -> None:
    good = load_cached_reference(ref_dir)
    key = reference_key(good)
    assert key is not None
    cache.store("reference", key, {"version": "not a reference"})
    assert load_cached_reference(ref_dir) == good


def test_cache_switched_off_writes_nothing(ref_dir: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert isinstance(load_cached_reference(ref_dir), ReferenceData)
    assert not (tmp_path / "cache").exists()


def test_vocabulary_is_cached_for_the_reference_it_was_built_from(ref_dir: Path, tmp_path: Path) -> None:
    ref = load_cached_reference(ref_dir)
    built = fuzzy._load_or_build(ref)
    assert len(_cache_files(tmp_path, "fuzzy-vocabulary")) == 1
    assert fuzzy._load_or_build(ref) == built == fuzzy._build(ref)


def test_corrupt_vocabulary_cache_is_rebuilt(ref_dir: Path, tmp_path: Path) -> None:
    ref = load_cached_reference(ref_dir)
    built = fuzzy._load_or_build(ref)
    [path] = _cache_files(tmp_path, "fuzzy-vocabulary")
    path.write_bytes(b"garbage")
    assert fuzzy._load_or_build(ref) == built


def test_vocabulary_of_an_edited_reference_gets_its_own_key(ref_dir: Path, tmp_path: Path) -> None:
    ref = load_cached_reference(ref_dir)
    fuzzy._load_or_build(ref)
    path = sorted(ref_dir.glob("*.yaml"))[-1]
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    edited = load_cached_reference(ref_dir)
    fuzzy._load_or_build(edited)
    # the old file is replaced by the one of the new key, never reused for it
    assert len(_cache_files(tmp_path, "fuzzy-vocabulary")) == 1
    assert reference_key(edited) != reference_key(ref)
