"""Stored checks read back exactly as saved, under ids nobody can guess."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from checker.storage import Storage, make_engine


def _report(**extra: object) -> dict:
    return {"schema": "label-check/1", "id": None, "verdict": "review", "language": "nl",
            "input": {"filename": "étiket.jpg", "sha256": "ab" * 32},
            "actives": [{"id": "sodium-butyrate", "per_day_mg_max": 1200}],
            "findings": [{"rule": "dose.sodium", "severity": "info", "message": "≈ 251 mg natrium"}],
            "versions": {"checker": "0.1.0", "reference": "2026-11-29"}, **extra}


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    store = Storage.from_url(f"sqlite:///{tmp_path / 'sub' / 'checks.sqlite3'}")
    yield store
    store.dispose()


def test_saved_report_reads_back_with_its_id(storage: Storage) -> None:
    report = _report()
    check_id = storage.save_check(report)
    stored = storage.get_check(check_id)
    assert stored == {**report, "id": check_id, "created_at": stored["created_at"]}
    assert report["id"] is None  # the caller's dict is left alone


def test_ids_are_long_random_and_distinct(storage: Storage) -> None:
    ids = {storage.save_check(_report()) for _ in range(20)}
    assert len(ids) == 20
    assert all(len(i) >= 22 and i.replace("-", "").replace("_", "").isalnum() for i in ids)


@pytest.mark.parametrize("check_id", ["", "nope", "1", "x" * 500, "' OR 1=1 --"])
def test_unknown_id_gives_none(storage: Storage, check_id: str) -> None:
    storage.save_check(_report())
    assert storage.get_check(check_id) is None


def test_columns_are_filled_from_the_report(storage: Storage) -> None:
    check_id = storage.save_check(_report(product={"name": "Velora Balans"}))
    with storage.engine.connect() as conn:
        row = conn.execute(text("SELECT filename, sha256, verdict, product, language, checker_version, "
                                "reference_version FROM checks WHERE id = :id"), {"id": check_id}).one()
    assert tuple(row) == ("étiket.jpg", "ab" * 32, "review", "Velora Balans", "nl", "0.1.0", "2026-11-29")


def test_an_error_report_without_optional_parts_still_saves(storage: Storage) -> None:
    check_id = storage.save_check({"schema": "label-check/1", "verdict": None, "error": {"code": "x"}})
    assert storage.get_check(check_id)["error"] == {"code": "x"}


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    engine.dispose()


def test_concurrent_writers_all_succeed(storage: Storage) -> None:
    ids: list[str] = []
    errors: list[BaseException] = []

    def save() -> None:
        try:
            for _ in range(10):
                ids.append(storage.save_check(_report()))
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=save) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 40
    assert all(storage.get_check(i) is not None for i in ids)


def test_in_memory_database_is_shared_between_threads() -> None:
    store = Storage.from_url("sqlite://")
    check_id = store.save_check(_report())
    found: list[dict | None] = []
    t = threading.Thread(target=lambda: found.append(store.get_check(check_id)))
    t.start()
    t.join()
    assert found[0] is not None and found[0]["id"] == check_id
