"""Command line for batches, workers and API keys (`python -m checker batch|worker|keys`)."""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from checker import batch as batches
from checker import jobs
from checker.config import Settings
from checker.errors import CheckerError
from checker.reference import default_reference
from checker.storage import Storage

PROG = "python -m checker"
STATE_SUFFIX = ".batch"
CLI_MAX_FILES = 1_000_000  # the server's per-request limit does not apply to local folders
POLL_SECONDS = 0.5


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run the batch, worker or keys command; returns the exit status."""
    try:
        settings = Settings.from_env()
        if args.command == "keys":
            return _keys(args, settings, out)
        if args.workers < 1:
            raise CheckerError("--workers must be 1 or more", code="bad_option")
        if args.command == "worker":
            return _worker(args, settings)
        return _batch(args, settings)
    except CheckerError as e:
        print(f"{PROG}: {e.message}", file=sys.stderr)
        return 2


# ---------------------------------------------------------------- keys
def _keys(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    storage = Storage.from_url(settings.database_url)
    try:
        if args.keys_command == "create":
            key_id, key = storage.create_api_key(args.name)
            print(key, file=out)  # alone on stdout, so KEY=$(python -m checker keys create x) works
            print(f"Created API key {key_id} for {args.name!r}. This is the only time the key is shown: "
                  "store it now. Clients send it as 'Authorization: Bearer KEY'.", file=sys.stderr)
            return 0
        if args.keys_command == "list":
            for row in storage.list_api_keys():
                state = f"revoked {row['revoked_at']}" if row["revoked"] else "active"
                print(f"{row['id']}\t{row['name']}\tcreated {row['created_at']}\t{state}", file=out)
            return 0
        if storage.revoke_api_key(args.key_id):
            print(f"Revoked API key {args.key_id}.", file=sys.stderr)
            return 0
        print(f"{PROG}: no active API key with id {args.key_id!r} (see: {PROG} keys list)", file=sys.stderr)
        return 1
    finally:
        storage.dispose()


# ---------------------------------------------------------------- worker
def _worker(args: argparse.Namespace, settings: Settings) -> int:
    storage = Storage.from_url(settings.database_url)
    job = jobs.JobServices(storage=storage, settings=settings, reference=default_reference())
    pool = jobs.WorkerPool(job, workers=args.workers).start()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"{PROG} worker: {args.workers} workers on {storage.engine.url.render_as_string()} "
          "(Ctrl+C stops after the files in hand)", file=sys.stderr)
    while not stop.wait(1.0):
        pass
    pool.stop()
    storage.dispose()
    return 0


# ---------------------------------------------------------------- batch
def _batch(args: argparse.Namespace, settings: Settings) -> int:
    source = Path(args.source)
    if not source.exists():
        raise CheckerError(f"{args.source} does not exist", code="file_not_found")
    settings = dataclasses.replace(settings, max_batch_files=max(settings.max_batch_files, CLI_MAX_FILES))
    out: Path = args.out
    state_path = out.with_name(out.name + STATE_SUFFIX)
    storage = Storage.from_url(settings.database_url)
    try:
        batch_id = None if args.restart else _resume(state_path, source, storage)
        if batch_id is None:
            batch_id = _create(source, settings, storage)
            _write_state(state_path, {"batch_id": batch_id, "source": str(source.resolve()),
                                      "database": storage.engine.url.render_as_string()})
        else:
            print(f"{PROG} batch: continuing batch {batch_id} (use --restart to start again)",
                  file=sys.stderr)
        job = jobs.JobServices(storage=storage, settings=settings, reference=default_reference())
        if not _run_to_end(job, batch_id, workers=args.workers, quiet=args.quiet):
            print(f"{PROG} batch: stopped; run the same command again to continue.", file=sys.stderr)
            return 130
        status = _write_results(storage, batch_id, out, job)
    finally:
        storage.dispose()
    counts = status["counts"]
    print(f"{PROG} batch: {counts['done']} checked, {counts['failed']} failed -> {out}", file=sys.stderr)
    return 1 if counts["failed"] else 0


def _resume(state_path: Path, source: Path, storage: Storage) -> str | None:
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("source") != str(source.resolve()):
        return None
    batch_id = state.get("batch_id")
    found = storage.batch_status(batch_id, with_items=False) if isinstance(batch_id, str) else None
    return batch_id if found is not None else None


def _create(source: Path, settings: Settings, storage: Storage) -> str:
    try:
        uploads = batches.read_source(source)
    except OSError as e:
        raise CheckerError(f"cannot read {source}: {e.strerror or e}", code="unreadable") from e
    items = batches.expand(uploads, settings)
    if not items:
        raise CheckerError(f"{source} holds no files to check", code="no_file")
    return storage.create_batch(None, items, source=str(source.resolve()),
                                media_type_of=batches.media_type_of)


def _write_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def _run_to_end(job: jobs.JobServices, batch_id: str, *, workers: int, quiet: bool) -> bool:
    """Process the batch with a local pool, showing progress; False when interrupted (Ctrl+C)."""
    from tqdm import tqdm

    status = job.storage.batch_status(batch_id, with_items=False)
    pool = jobs.WorkerPool(job, workers=workers, batch_id=batch_id, poll_seconds=POLL_SECONDS)
    finished = _finished(status)
    bar = tqdm(total=status["total"], initial=finished, unit="file", disable=quiet, file=sys.stderr,
               desc="checking", dynamic_ncols=True)
    try:
        pool.start()
        while status["status"] != "done":
            time.sleep(POLL_SECONDS)
            status = job.storage.batch_status(batch_id, with_items=False)
            bar.update(_finished(status) - bar.n)
            bar.set_postfix(failed=status["counts"]["failed"], refresh=False)
        return True
    except KeyboardInterrupt:
        return False
    finally:
        bar.close()
        pool.stop()


def _finished(status: dict[str, Any]) -> int:
    return status["counts"]["done"] + status["counts"]["failed"]


def _write_results(storage: Storage, batch_id: str, out: Path, job: jobs.JobServices) -> dict[str, Any]:
    rows = storage.batch_reports(batch_id)
    lines: Iterator[str] = (batches.jsonl_lines(rows, job.reference) if out.suffix.lower() == ".jsonl"
                            else batches.csv_lines(rows))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.writelines(lines)
    tmp.replace(out)
    return storage.batch_status(batch_id, with_items=False)
