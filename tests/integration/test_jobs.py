"""Batch items are claimed by one worker each, done exactly once, retried when the database is busy,
failed with a clear code when the file is bad, and never lost when a worker stops or dies."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from checker import jobs
from checker.config import Settings
from checker.errors import InputError
from checker.reference import default_reference
from checker.storage import MAX_ATTEMPTS, BatchItem, Check, Storage
from tests.fake_pipeline import CountingPipeline, fake_report
from tests.render import render_label, to_bytes
from tests.services import ROOT, wait_for


@pytest.fixture
def storage(database_url: str) -> Iterator[Storage]:
    store = Storage.from_url(database_url)
    store.retry_backoff = (0.0,)
    yield store
    store.dispose()


@pytest.fixture
def job(storage: Storage, tmp_path: Path) -> jobs.JobServices:
    settings = Settings.from_env({}, instance_dir=tmp_path, database_url="sqlite://")
    return jobs.JobServices(storage=storage, settings=settings, reference=default_reference())



def photos(n: int, prefix: str = "label") -> list[tuple[str, bytes, None]]:
    return [(f"{prefix}-{i:03d}.png", f"photo {prefix} {i}".encode(), None) for i in range(n)]


def statuses(storage: Storage, batch_id: str) -> Counter:
    return Counter(i["status"] for i in storage.batch_status(batch_id)["items"])


def check_rows(storage: Storage) -> int:
    with storage.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Check)).scalar_one()


# ---------------------------------------------------------------- storage: batches and items
def test_a_batch_keeps_its_files_in_order_and_fails_bad_ones_at_once(storage: Storage) -> None:
    items = [("a.png", b"photo a", None), ("../evil.png", None, InputError("unsafe", code="unsafe_name")),
             ("b.png", b"photo a", None)]
    batch_id = storage.create_batch("key1", items)
    status = storage.batch_status(batch_id)
    assert (status["status"], status["total"]) == ("queued", 3)
    assert status["counts"] == {"queued": 2, "running": 0, "done": 0, "failed": 1}
    assert [(i["file"], i["status"]) for i in status["items"]] == [
        ("a.png", "queued"), ("../evil.png", "failed"), ("b.png", "queued")]
    assert status["items"][1]["error"] == {"code": "unsafe_name", "message": "unsafe"}
    assert storage.batch_status(batch_id, owner="key2") is None  # another key's batch does not exist
    assert storage.batch_status("nope") is None


def test_claims_take_the_oldest_due_item_and_never_the_same_twice(storage: Storage) -> None:
    first = storage.create_batch(None, photos(2, "first"))
    second = storage.create_batch(None, photos(1, "second"))
    taken = [storage.claim_next_item("w1") for _ in range(4)]
    assert [t.filename for t in taken[:3]] == ["first-000.png", "first-001.png", "second-000.png"]
    assert taken[3] is None
    assert taken[0].attempts == 1 and taken[0].batch_id == first and taken[2].batch_id == second
    assert storage.claim_item(taken[0].id, "w2") is None  # a running item cannot be claimed again
    assert storage.batch_status(first)["status"] == "running"


def test_concurrent_workers_never_get_the_same_item(storage: Storage) -> None:
    storage.create_batch(None, photos(60))
    claimed: list[str] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            while (item := storage.claim_next_item(f"w{n}")) is not None:
                claimed.append(item.id)
        except BaseException as e:  # noqa: BLE001 - asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(claimed) == 60 and len(set(claimed)) == 60


def test_completing_an_item_twice_keeps_the_first_check(storage: Storage) -> None:
    batch_id = storage.create_batch(None, photos(1))
    item = storage.claim_next_item("w1")
    first = storage.complete_item(item.id, fake_report(b"", "a"))
    again = storage.complete_item(item.id, fake_report(b"", "a"))
    assert first is not None and again == first
    assert check_rows(storage) == 1 and storage.batch_status(batch_id)["status"] == "done"
    assert storage.fail_item(item.id, "x", "late failure") == "done"  # a done item stays done


def test_an_item_and_its_check_are_saved_together_or_not_at_all(storage: Storage,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    batch_id = storage.create_batch(None, photos(1))
    item = storage.claim_next_item("w1")

    def broken(*_args: object) -> None:  # marking the item done fails after the check was inserted
        raise OperationalError("UPDATE batch_items", {}, Exception("database is locked"))

    monkeypatch.setattr("checker.storage.update", broken)
    with pytest.raises(OperationalError):
        storage.complete_item(item.id, fake_report(b"", "a"))
    monkeypatch.undo()
    assert check_rows(storage) == 0 and statuses(storage, batch_id) == {"running": 1}


def test_a_retried_item_waits_for_its_backoff_then_fails_after_the_last_attempt(storage: Storage) -> None:
    storage.retry_backoff = (3600.0,)
    batch_id = storage.create_batch(None, photos(1))
    item = storage.claim_next_item("w1")
    assert storage.fail_item(item.id, "ocr_timeout", "slow", retry=True) == "queued"
    assert storage.claim_next_item("w1") is None  # not due yet
    for _ in range(MAX_ATTEMPTS - 1):
        assert storage.claim_item(item.id, "w1") is not None
        status = storage.fail_item(item.id, "ocr_timeout", "slow", retry=True)
    assert status == "failed"
    assert storage.batch_status(batch_id)["items"][0]["error"] == {"code": "ocr_timeout", "message": "slow"}


def test_stale_and_dead_workers_items_are_queued_again(storage: Storage) -> None:
    storage.create_batch(None, photos(3))
    stale, dead, alive = (storage.claim_next_item(w) for w in ("other-host:1:x:0", "w-dead", "w-alive"))
    with storage.engine.begin() as conn:
        conn.execute(update(BatchItem).where(BatchItem.id == stale.id)
                     .values(claimed_at=datetime.now(UTC) - timedelta(hours=1)))
    assert storage.requeue_claimed_by(["w-dead"]) == [dead.id]
    assert storage.requeue_stale(600) == [stale.id]  # the live worker's item is left alone
    assert storage.running_workers() == ["w-alive"]
    assert storage.claim_item(dead.id, "w2") is not None and storage.claim_item(stale.id, "w2") is not None


def test_an_item_that_keeps_killing_its_worker_ends_failed(storage: Storage) -> None:
    batch_id = storage.create_batch(None, photos(1))
    for _ in range(MAX_ATTEMPTS):
        item = storage.claim_next_item("w")
        storage.requeue_claimed_by(["w"])
    assert item is not None
    assert storage.batch_status(batch_id)["items"][0]["error"]["code"] == "interrupted"


# ---------------------------------------------------------------- the job function
@pytest.mark.parametrize(("data", "status", "code"), [
    (b"photo", "done", None),
    (b"bad data", "failed", "unsupported_media_type"),
    (b"bug", "failed", "internal_error"),
    (b"slow", "queued", None),  # an OCR timeout is tried again later
])
def test_process_item_stores_the_outcome(job: jobs.JobServices, pipeline: CountingPipeline, data: bytes,
                                         status: str, code: str | None) -> None:
    batch_id = job.storage.create_batch(None, [("label.png", data, None)])
    item_id = job.storage.batch_item_ids(batch_id)[0]
    assert jobs.process_item(item_id, job=job) == status
    item = job.storage.batch_status(batch_id)["items"][0]
    assert item["status"] == status and (item["error"] or {}).get("code") == code
    assert (item["check_id"] is not None) == (status == "done")
    again = "queued" if status == "queued" else "skipped"  # a finished item is never checked again
    assert jobs.process_item(item_id, job=job) == again
    assert check_rows(job.storage) == (1 if status == "done" else 0)


def test_a_busy_database_is_retried_with_backoff(job: jobs.JobServices, pipeline: CountingPipeline,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "TRANSIENT_DELAYS", (0.01, 0.01))
    batch_id = job.storage.create_batch(None, photos(1))
    real = job.storage.complete_item
    failures = iter([True, True])

    def flaky(*args: object, **kwargs: object) -> str | None:
        if next(failures, False):
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(*args, **kwargs)

    monkeypatch.setattr(job.storage, "complete_item", flaky)
    assert jobs.process_item(job.storage.batch_item_ids(batch_id)[0], job=job) == "done"


def test_a_database_that_stays_down_puts_the_item_back(job: jobs.JobServices, pipeline: CountingPipeline,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "TRANSIENT_DELAYS", (0.01,))

    def down(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    batch_id = job.storage.create_batch(None, photos(1))
    monkeypatch.setattr(job.storage, "complete_item", down)
    with pytest.raises(jobs.TransientError):
        jobs.process_item(job.storage.batch_item_ids(batch_id)[0], job=job)
    assert statuses(job.storage, batch_id) == {"queued": 1}


# ---------------------------------------------------------------- the worker pool
def test_two_workers_finish_a_batch_each_item_exactly_once(job: jobs.JobServices) -> None:
    pipeline = CountingPipeline(delay=0.02)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jobs, "run_image", pipeline)
        batch_id = job.storage.create_batch(None, photos(20))
        pool = jobs.WorkerPool(job, workers=2, poll_seconds=0.05).start()
        try:
            wait_for(lambda: job.storage.batch_status(batch_id)["status"] == "done", 30)
        finally:
            pool.stop()
    assert set(pipeline.calls.values()) == {1} and len(pipeline.calls) == 20
    assert check_rows(job.storage) == 20


def test_a_pool_stopped_mid_batch_and_started_again_loses_nothing(job: jobs.JobServices) -> None:
    pipeline = CountingPipeline(delay=0.1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jobs, "run_image", pipeline)
        batch_id = job.storage.create_batch(None, photos(16))
        pool = jobs.WorkerPool(job, workers=2, poll_seconds=0.05).start()
        wait_for(lambda: job.storage.batch_status(batch_id)["counts"]["done"] >= 3, 30)
        pool.stop()
        counts = job.storage.batch_status(batch_id)["counts"]
        assert counts["queued"] > 0 and counts["running"] == 0  # stopped in the middle, nothing in hand
        # a worker that died holding an item (simulated: a claim by a pool that no longer exists)
        orphan = job.storage.claim_next_item(f"{jobs.HOST}:{os.getpid()}:deadpool:0")
        assert orphan is not None
        pool = jobs.WorkerPool(job, workers=2, poll_seconds=0.05).start()
        try:
            wait_for(lambda: job.storage.batch_status(batch_id)["status"] == "done", 30)
        finally:
            pool.stop()
    status = job.storage.batch_status(batch_id)
    assert status["counts"] == {"queued": 0, "running": 0, "done": 16, "failed": 0}
    assert len({i["check_id"] for i in status["items"]}) == 16 and check_rows(job.storage) == 16
    assert set(pipeline.calls.values()) == {1}  # the orphan was claimed but never checked before


@pytest.mark.tesseract
@pytest.mark.slow
def test_a_killed_worker_process_is_recovered_on_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    storage = Storage.from_url(url)
    labels = [to_bytes(render_label(f"Label {i}\nsodium butyrate {100 * (i + 1)} mg", width=420,
                                    font_size=22), "PNG") for i in range(6)]
    batch_id = storage.create_batch(None, [(f"l{i}.png", data, None) for i, data in enumerate(labels)])
    env = {**os.environ, "CHECKER_DATABASE_URL": url, "CHECKER_INSTANCE_DIR": str(tmp_path),
           "OMP_THREAD_LIMIT": "1"}
    cmd = [sys.executable, "-m", "checker", "worker", "--workers", "1"]

    def start() -> subprocess.Popen:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    worker = start()
    try:
        wait_for(lambda: storage.batch_status(batch_id)["counts"]["done"] >= 1
                 and storage.batch_status(batch_id)["counts"]["running"] == 1, 60, interval=0.05)
        worker.send_signal(signal.SIGKILL)  # dies holding an item
        worker.wait(10)
        counts = storage.batch_status(batch_id)["counts"]
        assert counts["running"] == 1 and counts["done"] < 6
        worker = start()
        wait_for(lambda: storage.batch_status(batch_id)["status"] == "done", 90)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    status = storage.batch_status(batch_id)
    assert status["counts"]["done"] == 6 and check_rows(storage) == 6
    assert all(i["verdict"] is not None for i in status["items"])
    storage.dispose()
