"""Stored checks read back exactly as saved, under ids nobody can guess, on SQLite and PostgreSQL;
images are kept once, revisions are numbered, owners see only their own, API keys are kept hashed."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from checker.storage import ApiKey, Check, CheckNotFoundError, Storage, StoredImage, make_engine, new_id


def _report(**extra: object) -> dict:
    return {"schema": "label-check/1", "id": None, "verdict": "review", "language": "nl",
            "input": {"filename": "étiket.jpg", "sha256": "ab" * 32},
            "actives": [{"id": "sodium-butyrate", "per_day_mg_max": 1200}],
            "findings": [{"rule": "dose.sodium", "severity": "info", "message": "≈ 251 mg natrium"}],
            "versions": {"checker": "0.1.0", "reference": "2026-11-29"}, **extra}


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    store = Storage.from_url(database_url)
    yield store
    store.dispose()


def _count(storage: Storage, model: type) -> int:
    with storage.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


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
    assert storage.delete_check(check_id) is False


def test_columns_are_filled_from_the_report(storage: Storage) -> None:
    check_id = storage.save_check(_report(product={"name": "Velora Balans", "barcode": "5412345678901"}),
                                  owner="key1")
    with storage.engine.connect() as conn:
        row = conn.execute(text("SELECT filename, sha256, verdict, product, barcode, language, "
                                "checker_version, reference_version, owner FROM checks WHERE id = :id"),
                           {"id": check_id}).one()
    assert tuple(row) == ("étiket.jpg", "ab" * 32, "review", "Velora Balans", "5412345678901", "nl", "0.1.0",
                          "2026-11-29", "key1")


def test_an_error_report_without_optional_parts_still_saves(storage: Storage) -> None:
    check_id = storage.save_check({"schema": "label-check/1", "verdict": None, "error": {"code": "x"}})
    assert storage.get_check(check_id)["error"] == {"code": "x"}


def test_an_image_is_stored_once_and_goes_with_its_last_check(storage: Storage) -> None:
    photo = b"\x89PNG\r\n\x1a\n fake photo bytes"
    sha = hashlib.sha256(photo).hexdigest()
    first = storage.save_check(_report(), image=photo, media_type="image/png")
    second = storage.save_check(_report(), image=photo, media_type="image/png")
    assert _count(storage, StoredImage) == 1
    assert storage.get_image(sha) == (photo, "image/png")
    assert storage.get_check_image_sha256(first) == sha
    assert storage.delete_check(first) and storage.get_image(sha) is not None
    assert storage.delete_check(second) and storage.get_image(sha) is None
    assert storage.get_image("0" * 64) is None and storage.get_image("short") is None


def test_edited_text_rechecks_are_numbered_revisions_of_the_original(storage: Storage) -> None:
    original = storage.save_check(_report())
    first = storage.save_check(_report(), parent_id=original, text="Ingrediënten: natriumbutyraat")
    second = storage.save_check(_report(), parent_id=first, text="Ingrediënten: natriumbutyraat 500 mg")
    assert storage.get_check(first)["revision"] == {"of": original, "n": 1, "source": "edited text"}
    assert storage.get_check(second)["revision"] == {"of": first, "n": 2, "source": "edited text"}
    listed = {c["id"]: (c["parent_id"], c["revision"]) for c in storage.list_checks()}
    assert listed == {original: (None, 0), first: (original, 1), second: (first, 2)}
    assert storage.delete_check(original)  # revisions stay, detached from the deleted original
    assert storage.get_check(first) is not None and storage.list_checks()[-1]["parent_id"] is None
    with pytest.raises(CheckNotFoundError):
        storage.save_check(_report(), parent_id="no-such-check")


def test_an_owner_sees_reads_and_deletes_only_its_own_checks(storage: Storage) -> None:
    mine = storage.save_check(_report(), owner="me")
    theirs = storage.save_check(_report(), owner="them")
    assert storage.get_check(theirs, owner="me") is None and storage.get_check(mine, owner="me") is not None
    assert [c["id"] for c in storage.list_checks(owner="me")] == [mine]
    assert {c["id"] for c in storage.list_checks()} == {mine, theirs}  # no owner: the browser pages
    assert storage.delete_check(theirs, owner="me") is False and storage.get_check(theirs) is not None
    with pytest.raises(CheckNotFoundError):
        storage.save_check(_report(), owner="me", parent_id=theirs)


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"q": "velora"}, ["velora"]),
    ({"q": "TIKET.JP"}, ["velora"]),  # file name, case-insensitive
    ({"q": "100%"}, ["percent"]),  # % and _ are literal
    ({"q": "a_b"}, []),
    ({"barcode": "5412345678901"}, ["velora"]),
    ({"limit": 1}, ["percent"]),  # newest first
    ({"limit": 1, "offset": 1}, ["plain"]),
])
def test_checks_are_listed_newest_first_with_search(storage: Storage, kwargs: dict, expected: list) -> None:
    names = {}
    for name, product in (("velora", {"name": "Velora Balans", "barcode": "5412345678901"}),
                          ("plain", {"name": "Plain", "barcode": None}),
                          ("percent", {"name": "Butyrate 100% pure", "barcode": None})):
        input_ = {"filename": "étiket.jpg" if name == "velora" else f"{name}.jpg"}
        names[storage.save_check(_report(product=product, input=input_))] = name
    assert [names[c["id"]] for c in storage.list_checks(**kwargs)] == expected


def test_a_stored_report_is_found_again_only_for_the_same_bytes_and_recipe(storage: Storage) -> None:
    sha = "cd" * 32
    storage.save_check(_report(input={"filename": "a.png", "sha256": sha}), recipe="r1")
    failed = {**_report(input={"filename": "b.png", "sha256": sha}), "error": {"code": "ocr_timeout"}}
    storage.save_check(failed, recipe="r1")  # an error is never handed out again
    assert storage.find_reusable(sha, "r1")["input"]["filename"] == "a.png"
    assert storage.find_reusable(sha, "r2") is None
    assert storage.find_reusable("ef" * 32, "r1") is None


def test_api_keys_are_stored_hashed_and_can_be_revoked(storage: Storage) -> None:
    key_id, key = storage.create_api_key("lab robot")
    assert len(key) >= 40 and storage.api_key_owner(key) == key_id
    with storage.engine.connect() as conn:
        stored = conn.execute(select(ApiKey.key_hash)).scalar_one()
    assert stored == hashlib.sha256(key.encode()).hexdigest() and key not in stored
    assert storage.api_key_owner(key[:-1]) is None and storage.api_key_owner("") is None
    assert [k["name"] for k in storage.list_api_keys()] == ["lab robot"]
    assert storage.revoke_api_key(key_id) and not storage.revoke_api_key(key_id)
    assert storage.api_key_owner(key) is None and storage.list_api_keys()[0]["revoked"] is True


def test_concurrent_writers_all_succeed(storage: Storage) -> None:
    ids: list[str] = []
    errors: list[BaseException] = []

    def save() -> None:
        try:
            for _ in range(10):
                ids.append(storage.save_check(_report(), image=b"same photo", media_type="image/png"))
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=save) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 40
    assert all(storage.get_check(i) is not None for i in ids)
    assert _count(storage, Check) == 40 and _count(storage, StoredImage) == 1


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    engine.dispose()


def test_in_memory_database_is_shared_between_threads() -> None:
    store = Storage.from_url("sqlite://")
    check_id = store.save_check(_report())
    found: list[dict | None] = []
    t = threading.Thread(target=lambda: found.append(store.get_check(check_id)))
    t.start()
    t.join()
    assert found[0] is not None and found[0]["id"] == check_id


def test_ids_start_with_a_letter_or_digit_so_csv_results_show_them_as_they_are() -> None:
    # about one token in 32 starts with "-" or "_": 3,000 draws would meet one ~100 times
    ids = [new_id() for _ in range(3000)]
    assert all(i[0].isalnum() and len(i) == 22 for i in ids)
    assert len(set(ids)) == len(ids)
