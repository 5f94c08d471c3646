"""Batch jobs: one job function (process_item) run by an in-process worker pool, or by Celery workers.

In-process (default): WorkerPool threads claim queued items from the database (both cores: 2 workers;
Tesseract runs in its own process, so threads do not wait on each other). At start the pool puts back
items left running by a worker that died, so queued and interrupted items are picked up again.

Distributed: with CHECKER_CELERY_BROKER_URL set, each item becomes a Celery task on that broker
(`celery -A checker.jobs worker`); the task pushes a Flask app context and calls process_item.
Either way an item is done exactly once: claiming is atomic and completing is idempotent by item id.
"""
from __future__ import annotations

import copy
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask

from checker import __version__, rules
from checker.config import Settings
from checker.errors import CheckerError, OcrTimeoutError
from checker.pipeline import run_image
from checker.reference import ReferenceData
from checker.storage import DONE, FAILED, QUEUED, ClaimedItem, Storage, is_transient

log = logging.getLogger(__name__)
T = TypeVar("T")

JOBS_KEY = "checker.jobs"
TASK_NAME = "checker.process_item"
SKIPPED = "skipped"
TRANSIENT_DELAYS = (0.1, 0.3, 1.0, 3.0)  # seconds between tries of a database call that hit a busy DB
POLL_SECONDS = 1.0
HOST = socket.gethostname()
_live_pools: set[str] = set()  # tokens of the pools running in this process (see _is_dead)


class TransientError(Exception):
    """A database call kept failing with a retryable error (locked, connection lost): try later."""


@dataclass(frozen=True)
class JobServices:
    """What a job needs: the database, the settings and the reference data."""

    storage: Storage
    settings: Settings
    reference: ReferenceData


def _services() -> JobServices:
    from checker.web.extensions import services

    return services()


def current_recipe(settings: Settings, ref: ReferenceData) -> str:
    """What besides the image decides a report: a stored report with the same recipe can be reused."""
    from checker import ocr
    from checker.storage import recipe_key

    return recipe_key({"checker": __version__, "reference": ref.version, "rules": rules.RULES_VERSION,
                       "engine": ocr.tesseract_version(), "languages": settings.ocr_languages,
                       "max_pixels": settings.max_pixels})


def reused_report(stored: dict[str, Any], filename: str) -> dict[str, Any]:
    """A stored report handed out again for the same bytes: new name, no id, marked "reused"."""
    report = copy.deepcopy(stored)
    for key in ("id", "created_at", "revision"):
        report.pop(key, None)
    report["input"] = {**(report.get("input") or {}), "filename": filename}
    report["reused"] = True
    return report


def check_with_reuse(data: bytes, filename: str, job: JobServices, sha256: str | None = None
                     ) -> tuple[dict[str, Any], str | None]:
    """(report, recipe): the stored report of identical bytes and versions if there is one, else a new
    check. Raises CheckerError like pipeline.run_image."""
    import hashlib

    recipe = None
    try:
        recipe = current_recipe(job.settings, job.reference)
    except CheckerError:  # no Tesseract: the check below fails with the real reason
        pass
    if recipe is not None:
        sha256 = sha256 or hashlib.sha256(data).hexdigest()
        stored = _retrying(job.storage.find_reusable, sha256, recipe)
        if stored is not None:
            return reused_report(stored, filename), recipe
    return run_image(data, filename, settings=job.settings, ref=job.reference), recipe


def process_item(item_id: str | None = None, *, job: JobServices | None = None, worker_id: str | None = None,
                 claimed: ClaimedItem | None = None) -> str:
    """Check one batch item and store the outcome; returns the item's status afterwards.

    "done": the check is saved and the item marked done in one transaction. "failed": the file could
    not be checked (CheckerError code and message kept). "queued": a retryable problem (OCR timeout)
    put it back. "skipped": the item was not queued (already done, failed or taken by another worker).
    Raises TransientError when the database stays unavailable.
    """
    job = job or _services()
    worker_id = worker_id or f"{HOST}:{os.getpid()}:direct"
    item = claimed or _retrying(job.storage.claim_item, item_id or "", worker_id)
    if item is None:
        return SKIPPED
    data = _retrying(job.storage.item_data, item)
    if data is None:
        return _fail(job, item, "file_missing", "The uploaded file is no longer stored.")
    try:
        report, recipe = check_with_reuse(data, item.filename, job, item.image_sha256)
    except OcrTimeoutError as e:
        return _fail(job, item, e.code, e.message, retry=True)
    except CheckerError as e:
        return _fail(job, item, e.code, e.message)
    except Exception:  # noqa: BLE001 - a bug on one file must not stop the batch
        log.exception("internal error checking batch item %s (%s)", item.id, item.filename)
        return _fail(job, item, "internal_error",
                     "Something went wrong on our side while checking this file.")
    try:
        check_id = _retrying(job.storage.complete_item, item.id, report, recipe=recipe)
    except TransientError:
        _put_back(job, item)
        raise
    return DONE if check_id else FAILED


def _fail(job: JobServices, item: ClaimedItem, code: str, message: str, *, retry: bool = False) -> str:
    try:
        return _retrying(job.storage.fail_item, item.id, code, message, retry=retry) or SKIPPED
    except TransientError:
        _put_back(job, item)
        raise


def _put_back(job: JobServices, item: ClaimedItem) -> None:
    """After the database failed us: queue the item again if we can (else the stale sweep will)."""
    try:
        job.storage.fail_item(item.id, "database_unavailable", "The database was busy; trying again.",
                              retry=True)
    except Exception:  # noqa: BLE001 - best effort; requeue_stale covers it
        log.warning("could not put batch item %s back in the queue", item.id)


def _retrying(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call, retrying with back-off while the database error is transient; then TransientError."""
    for delay in (*TRANSIENT_DELAYS, None):
        try:
            return call(*args, **kwargs)
        except Exception as e:
            if not is_transient(e):
                raise
            if delay is None:
                raise TransientError(f"database unavailable: {type(e).__name__}") from e
            log.warning("database busy (%s); retrying in %.1f s", type(e).__name__, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- in-process worker pool
def _is_dead(worker_id: str) -> bool:
    """True for a worker of this machine whose process (or pool, in this process) is gone."""
    parts = worker_id.split(":")
    if len(parts) < 3 or parts[0] != HOST or not parts[1].isdigit():
        return False  # another machine's: only the stale sweep may take its items back
    pid, pool = int(parts[1]), parts[2]
    if pid == os.getpid():
        return pool not in _live_pools
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover(storage: Storage, settings: Settings) -> list[str]:
    """Queue again the items of dead local workers and of any worker silent for too long."""
    dead = [w for w in storage.running_workers() if _is_dead(w)]
    ids = storage.requeue_claimed_by(dead) + storage.requeue_stale(settings.stale_after)
    if ids:
        log.info("requeued %d interrupted batch items", len(ids))
    return ids


class WorkerPool:
    """Threads that claim and process queued items until stopped."""

    def __init__(self, job: JobServices, *, workers: int = 2, poll_seconds: float = POLL_SECONDS,
                 on_item: Callable[[str, str], None] | None = None, batch_id: str | None = None) -> None:
        self.job = job
        self.batch_id = batch_id  # only this batch's items (the command line); None: every batch
        self.workers = workers
        self.poll_seconds = poll_seconds
        self.on_item = on_item  # called with (item id, status) after each item (progress bars)
        self.token = secrets.token_hex(4)
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._last_sweep = 0.0

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def start(self) -> WorkerPool:
        """Recover interrupted items, then start the worker threads."""
        if self.running:
            return self
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per Tesseract run: 2 runs side by side
        self._stop.clear()
        _live_pools.add(self.token)
        recover(self.job.storage, self.job.settings)
        self._last_sweep = time.monotonic()
        self._threads = [threading.Thread(target=self._run, args=(n,), name=f"checker-worker-{n}",
                                          daemon=True) for n in range(self.workers)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Let each worker finish the item in hand, then end the threads."""
        self._stop.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout)
        if not self.running:
            _live_pools.discard(self.token)

    def wake(self) -> None:
        """New items were queued: stop waiting for the next poll."""
        with self._wake:
            self._wake.notify_all()

    def _run(self, n: int) -> None:
        worker_id = f"{HOST}:{os.getpid()}:{self.token}:{n}"
        while not self._stop.is_set():
            try:
                item = self._next(worker_id)
            except Exception:  # noqa: BLE001 - the database may be restarting: keep the worker alive
                log.exception("worker %s could not claim an item", worker_id)
                item = None
            if item is None:
                with self._wake:
                    if not self._stop.is_set():
                        self._wake.wait(self.poll_seconds)
                continue
            try:
                status = process_item(job=self.job, worker_id=worker_id, claimed=item)
            except Exception:  # noqa: BLE001 - the item stays running; recover() puts it back
                log.exception("worker %s failed on item %s", worker_id, item.id)
                status = "error"
            if self.on_item is not None:
                self.on_item(item.id, status)

    def _next(self, worker_id: str) -> ClaimedItem | None:
        if time.monotonic() - self._last_sweep > self.job.settings.stale_after / 2:
            self._last_sweep = time.monotonic()
            self.job.storage.requeue_stale(self.job.settings.stale_after)
        return self.job.storage.claim_next_item(worker_id, batch_id=self.batch_id)


# ---------------------------------------------------------------- Celery
def make_celery(broker_url: str, queue: str = "checker") -> Any:
    """A Celery app on `broker_url` with the process_item task (late acks: a lost worker's task returns)."""
    from celery import Celery

    app = Celery("checker", broker=broker_url, set_as_current=False)
    app.conf.update(task_default_queue=queue, task_acks_late=True, task_reject_on_worker_lost=True,
                    worker_prefetch_multiplier=1, task_ignore_result=True,
                    broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
                    worker_send_task_events=False, broker_transport_options={"visibility_timeout": 3600})
    app.task(name=TASK_NAME, bind=True, autoretry_for=(TransientError,), retry_backoff=2,
             retry_backoff_max=300, retry_jitter=True, max_retries=10)(_celery_task)
    return app


def _celery_task(task: Any, item_id: str) -> str:
    flask_app = _worker_flask_app()
    with flask_app.app_context():
        job = _services()
        _maybe_sweep(job, task.app)
        worker_id = f"celery:{HOST}:{os.getpid()}:{task.request.hostname or ''}"
        status = process_item(item_id, job=job, worker_id=worker_id)
        if status == QUEUED:  # an OCR timeout: try again later, on whichever worker is free
            raise task.retry(countdown=job.storage.retry_backoff[0], max_retries=None)
        return status


_worker_app: Flask | None = None
_worker_lock = threading.Lock()
_last_worker_sweep = 0.0


def _worker_flask_app() -> Flask:
    """The Flask app of this Celery worker process (created once; it starts no worker pool)."""
    global _worker_app
    with _worker_lock:
        if _worker_app is None:
            from checker.web.app import create_app

            os.environ.setdefault("OMP_THREAD_LIMIT", "1")
            _worker_app = create_app({"JOBS_AUTOSTART": False})
        return _worker_app


def _maybe_sweep(job: JobServices, celery_app: Any) -> None:
    """Now and then, give items of workers that vanished back to the queue (there is no pool here)."""
    global _last_worker_sweep
    if time.monotonic() - _last_worker_sweep < job.settings.stale_after / 2:
        return
    _last_worker_sweep = time.monotonic()
    enqueue(celery_app, job.storage.requeue_stale(job.settings.stale_after), job.settings.celery_queue)


def enqueue(celery_app: Any, item_ids: list[str], queue: str) -> int:
    """One task per item; returns how many were sent."""
    for item_id in item_ids:
        celery_app.send_task(TASK_NAME, args=[item_id], queue=queue)
    return len(item_ids)


_celery_apps: dict[tuple[str, str], Any] = {}


def celery_app_for(settings: Settings) -> Any:
    key = (settings.celery_broker_url, settings.celery_queue)
    if key not in _celery_apps:
        _celery_apps[key] = make_celery(*key)
    return _celery_apps[key]


def __getattr__(name: str) -> Any:
    """`celery -A checker.jobs worker` finds the Celery app as checker.jobs.app (made from the settings)."""
    if name in ("app", "celery"):
        settings = Settings.from_env()
        if not settings.celery_broker_url:  # AttributeError: hasattr() and celery's lookup stay well-behaved
            raise AttributeError("set CHECKER_CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run "
                                 "Celery workers")
        return celery_app_for(settings)
    raise AttributeError(name)


# ---------------------------------------------------------------- wiring into the web app
class Runner:
    """What the app does with new batches: wake its pool, send Celery tasks, or leave them queued."""

    def __init__(self, job: JobServices, *, autostart: bool = True) -> None:
        self.job = job
        settings = job.settings
        self.celery = celery_app_for(settings) if settings.celery_broker_url else None
        in_process = self.celery is None and settings.workers > 0
        self.pool = WorkerPool(job, workers=settings.workers) if in_process else None
        self.autostart = autostart

    @property
    def mode(self) -> str:
        return "celery" if self.celery is not None else "pool" if self.pool is not None else "none"

    def start(self) -> None:
        if self.pool is not None:
            self.pool.start()
        elif self.celery is not None:
            recover(self.job.storage, self.job.settings)
            self._send(self.job.storage.queued_item_ids())

    def stop(self, timeout: float | None = None) -> None:
        if self.pool is not None:
            self.pool.stop(timeout)

    def submitted(self, batch_id: str) -> None:
        """A batch was stored: get its queued items going."""
        if self.pool is not None:
            self.pool.wake()
        elif self.celery is not None:
            self._send(self.job.storage.batch_item_ids(batch_id))

    def _send(self, item_ids: list[str]) -> None:
        try:
            enqueue(self.celery, item_ids, self.job.settings.celery_queue)
        except Exception:  # noqa: BLE001 - the items stay queued; the next start or sweep sends them
            log.exception("could not send %d batch items to the Celery broker", len(item_ids))


def init_app(app: Flask, job: JobServices) -> Runner:
    """Attach the runner to the app and start it (unless JOBS_AUTOSTART is False)."""
    runner = Runner(job, autostart=app.config.get("JOBS_AUTOSTART", True))
    app.extensions[JOBS_KEY] = runner
    if runner.autostart:
        runner.start()
    return runner


def runner_of_current_app() -> Runner:
    from flask import current_app

    return current_app.extensions[JOBS_KEY]
