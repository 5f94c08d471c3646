"""Bounded load test on loopback: many clients upload label photos to a real server for a fixed time.

    .venv/bin/python bench/loadtest.py [--database sqlite,postgresql|URL] [--clients 50] [--seconds 60]
                                       [--threads 4] [--workers 2] [--json out.json]

For each database in turn (default: SQLite, then PostgreSQL when it answers; under
CHECKER_REQUIRE_SERVICES=1 a missing PostgreSQL is a failure) starts `waitress-serve wsgi:app` on
127.0.0.1:<free port> with its in-process batch workers, on a fresh SQLite file or a fresh schema of
the PostgreSQL at CHECKER_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test), with
an API key and rate limits off. Each client loops
until the time is up: mostly POST /api/v1/checks with a photo from a small pool (repeats reuse their
stored report), some with never-seen bytes (a full OCR), some POST /api/v1/batches of three photos,
and some reads of its own checks. Afterwards it waits for every batch to finish and checks that every
accepted upload has a stored report. Prints requests, statuses, errors, 5xx, p50/p95 latency and items
lost; exits 1 when there was a 5xx, a client error, or a lost item.
"""
from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from PIL import Image  # noqa: E402

from tests.render import render_label  # noqa: E402
from tests.sample_labels import DE_PASS, EN_FAIL, FR_FAIL, NL_PASS  # noqa: E402

DEFAULT_POSTGRES = os.environ.get("CHECKER_TEST_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432/test"
LABELS = (NL_PASS, EN_FAIL, DE_PASS, FR_FAIL)
VERDICTS = {"pass", "review", "fail", "unreadable"}
REQUEST_TIMEOUT = 180.0  # s, per request on the client side
START_TIMEOUT = 90.0
POLL_INTERVAL = 1.0
BOUNDARY = "loadtest-" + secrets.token_hex(8)
UPLOADS = ("POST /checks", "POST /batches")


# ---------------------------------------------------------------- photos
def photo_pool(size: int) -> list[bytes]:
    """Small label photos: four labels in four languages, each with a few lot numbers and widths."""
    pool = []
    for n in range(size):
        text = LABELS[n % len(LABELS)].replace("Lot:", f"Lot: LT{n:04d}")
        img = render_label(text, width=560 + 40 * (n % 3), font_size=18, margin=24).convert("L")
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
        pool.append(buf.getvalue())
    return pool


def unique_photos(pool: list[bytes], count: int) -> list[bytes]:
    """Photos no server has seen (one pixel differs): each is read by Tesseract, not reused."""
    out = []
    for n in range(count):
        img = Image.open(io.BytesIO(pool[n % len(pool)])).convert("L")
        img.putpixel((n % img.width, img.height - 1 - (n // img.width) % 8), 128 + n % 100)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


# ---------------------------------------------------------------- HTTP
def multipart(files: list[tuple[str, str, bytes]]) -> bytes:
    parts = []
    for field_name, filename, data in files:
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field_name}"; '
                     f'filename="{filename}"\r\nContent-Type: image/png\r\n\r\n'.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


class Client:
    """One keep-alive connection with the API key; reconnects after a failure."""

    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.key}"}
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):  # a keep-alive connection the server closed: one fresh try
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                is_json = (response.getheader("Content-Type") or "").startswith("application/json")
                return response.status, json.loads(raw) if is_json and raw else raw
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2 or method != "GET":
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# ---------------------------------------------------------------- the run
@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    client_errors: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # accepted single checks (200)
    batches: list[tuple[str, int]] = field(default_factory=list)  # accepted batches (202), file counts
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, name: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies[name].append(seconds)
            self.statuses[(name, status)] += 1


def client_loop(n: int, port: int, key: str, deadline: float, pool: list[bytes], fresh: list[bytes],
                args: argparse.Namespace, results: Results) -> None:
    rng = random.Random(n)
    client = Client(port, key)
    own: list[str] = []
    try:
        while time.monotonic() < deadline:
            roll = rng.random()
            try:
                if roll < args.read_share and own:
                    _timed(results, "GET /checks/<id>", client, "GET", f"/api/v1/checks/{rng.choice(own)}")
                elif roll < args.read_share + args.batch_share:
                    files = [("files", f"c{n}-{i}.png", _photo(rng, pool, fresh, args)) for i in range(3)]
                    status, body = _timed(results, "POST /batches", client, "POST", "/api/v1/batches",
                                          multipart(files), f"multipart/form-data; boundary={BOUNDARY}")
                    if status == 202:
                        with results.lock:
                            results.batches.append((body["id"], len(files)))
                else:
                    data = _photo(rng, pool, fresh, args)
                    status, body = _timed(results, "POST /checks", client, "POST", "/api/v1/checks",
                                          multipart([("file", f"c{n}.png", data)]),
                                          f"multipart/form-data; boundary={BOUNDARY}")
                    if status == 200:
                        own.append(body["id"])
                        with results.lock:
                            results.checks.append(body["id"])
            except Exception as e:  # noqa: BLE001 - every client-side failure is counted, not fatal
                with results.lock:
                    results.client_errors.append(f"client {n}: {type(e).__name__}: {e}")
                client.close()
    finally:
        client.close()


def _photo(rng: random.Random, pool: list[bytes], fresh: list[bytes], args: argparse.Namespace) -> bytes:
    if rng.random() < args.unique_share:
        with _FRESH_LOCK:
            if fresh:
                return fresh.pop()
    return rng.choice(pool)


_FRESH_LOCK = threading.Lock()


def _timed(results: Results, name: str, client: Client, method: str, path: str, body: bytes | None = None,
           content_type: str | None = None) -> tuple[int, Any]:
    started = time.perf_counter()
    status, payload = client.request(method, path, body, content_type)
    results.record(name, status, time.perf_counter() - started)
    if status >= 500:
        with results.lock:
            results.client_errors.append(f"{name} -> {status}: {str(payload)[:300]}")
    return status, payload


def drain_and_verify(port: int, key: str, results: Results, timeout: float) -> dict[str, Any]:
    """Wait for every accepted batch to finish, then look up every accepted upload's stored report."""
    client = Client(port, key)
    started = time.monotonic()
    pending = {batch_id for batch_id, _ in results.batches}
    items: dict[str, list[dict[str, Any]]] = {}
    while pending and time.monotonic() - started < timeout:
        for batch_id in sorted(pending):
            status, body = client.request("GET", f"/api/v1/batches/{batch_id}")
            if status == 200 and body["status"] == "done":
                items[batch_id] = body["items"]
                pending.discard(batch_id)
        if pending:
            time.sleep(POLL_INTERVAL)
    drain_seconds = time.monotonic() - started
    missing_checks = [c for c in results.checks if not _stored(client, c)]
    expected_items = sum(n for _, n in results.batches)
    lost_items = sum(n for batch_id, n in results.batches if batch_id in pending)
    failed_items = []
    for batch_items in items.values():
        for item in batch_items:
            if item["status"] != "done" or not item.get("check_id") or not _stored(client, item["check_id"]):
                failed_items.append(item)
    client.close()
    return {"drain_seconds": round(drain_seconds, 1), "batches_unfinished": len(pending),
            "batch_items": expected_items, "batch_items_without_report": lost_items + len(failed_items),
            "failed_item_reasons": Counter((i.get("error") or {}).get("code") for i in failed_items),
            "checks_without_report": len(missing_checks)}


def _stored(client: Client, check_id: str) -> bool:
    status, body = client.request("GET", f"/api/v1/checks/{check_id}")
    return status == 200 and body.get("id") == check_id and body.get("verdict") in VERDICTS


# ---------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(choice: str, instance: Path) -> tuple[str, str | None]:
    """(url, PostgreSQL schema to drop afterwards or None)."""
    if choice == "sqlite":
        return f"sqlite:///{instance / 'loadtest.sqlite3'}", None
    base = DEFAULT_POSTGRES if choice == "postgresql" else choice
    if not base.startswith("postgresql"):
        return base, None
    import psycopg

    schema = f"loadtest_{secrets.token_hex(5)}"
    with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str, choice: str) -> None:
    import psycopg

    base = DEFAULT_POSTGRES if choice == "postgresql" else choice
    with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def start_server(url: str, instance: Path, port: int,
                 args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    from checker.storage import Storage

    storage = Storage.from_url(url)  # migrations run here once, before the server starts
    key = storage.create_api_key("loadtest")[1]
    storage.dispose()
    env = {**os.environ, "CHECKER_DATABASE_URL": url, "CHECKER_INSTANCE_DIR": str(instance),
           "CHECKER_WORKERS": str(args.workers), "CHECKER_SECRET_KEY": secrets.token_hex(32),
           "CHECKER_RATELIMIT_ADDRESS": "off", "CHECKER_RATELIMIT_KEY": "off",
           "CHECKER_RATELIMIT_UPLOADS": "off", "OMP_THREAD_LIMIT": "1"}
    waitress = Path(sys.executable).with_name("waitress-serve")
    log = open(instance / "server.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([str(waitress), f"--listen=127.0.0.1:{port}", f"--threads={args.threads}",
                             "--connection-limit=200", "wsgi:app"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited at start; see {instance / 'server.log'}")
        try:
            if Client(port, key).request("GET", "/api/v1/openapi.json")[0] == 200:
                return proc, key
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not answer in time")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------- report
def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def summary(results: Results, verify: dict[str, Any], seconds: float, args: argparse.Namespace,
            database: str, server_log: str) -> dict[str, Any]:
    total = sum(results.statuses.values())
    five = sum(n for (_, status), n in results.statuses.items() if status >= 500)
    uploads = [v for name in UPLOADS for v in results.latencies.get(name, [])]
    per_endpoint = {}
    for name, values in sorted(results.latencies.items()):
        per_endpoint[name] = {"requests": len(values), "p50_s": round(percentile(values, 50), 3),
                              "p95_s": round(percentile(values, 95), 3), "max_s": round(max(values), 3)}
    lost = verify["checks_without_report"] + verify["batch_items_without_report"]
    return {
        "database": database, "clients": args.clients, "seconds": round(seconds, 1),
        "server_threads": args.threads, "workers": args.workers, "requests": total,
        "requests_per_s": round(total / seconds, 2) if seconds else None,
        "statuses": {f"{name} {status}": n for (name, status), n in sorted(results.statuses.items())},
        "http_5xx": five, "client_errors": len(results.client_errors),
        "client_error_samples": results.client_errors[:5],
        "uploads_p50_s": round(percentile(uploads, 50), 3),
        "uploads_p95_s": round(percentile(uploads, 95), 3),
        "endpoints": per_endpoint, "accepted_checks": len(results.checks),
        "accepted_batches": len(results.batches), **verify, "items_lost": lost,
        "server_tracebacks": server_log.count("Traceback"),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    pool = photo_pool(args.pool)
    fresh = unique_photos(pool, args.fresh)
    with tempfile.TemporaryDirectory(prefix="checker-loadtest-") as tmp:
        instance = Path(tmp)
        url, schema = database_url(args.database, instance)
        port = free_port()
        proc, key = start_server(url, instance, port, args)
        try:
            results = Results()
            started = time.monotonic()
            deadline = started + args.seconds
            threads = [threading.Thread(target=client_loop, args=(n, port, key, deadline, pool, fresh, args,
                                                                   results), daemon=True)
                       for n in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
            verify = drain_and_verify(port, key, results, args.drain_timeout)
        finally:
            stop_server(proc)
            if schema:
                drop_schema(schema, args.database)
        server_log = (instance / "server.log").read_text(errors="replace")
        kind = "sqlite" if args.database == "sqlite" else "postgresql"
        return summary(results, verify, elapsed, args, kind, server_log)


def _reachable(database: str) -> bool:
    import psycopg

    url = DEFAULT_POSTGRES if database == "postgresql" else database
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"PostgreSQL at {url} not reachable ({first}): that run is skipped", file=sys.stderr)
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql or a database URL")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=4, help="waitress request threads (its default)")
    parser.add_argument("--workers", type=int, default=2, help="in-process batch workers")
    parser.add_argument("--pool", type=int, default=24, help="distinct photos that are uploaded again")
    parser.add_argument("--fresh", type=int, default=400, help="never-seen photos available to send")
    parser.add_argument("--unique-share", type=float, default=0.1, help="share of uploads that are new")
    parser.add_argument("--batch-share", type=float, default=0.2)
    parser.add_argument("--read-share", type=float, default=0.1)
    parser.add_argument("--drain-timeout", type=float, default=900.0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    runs, ok = [], True
    for database in [d.strip() for d in args.database.split(",") if d.strip()]:
        if database != "sqlite" and not _reachable(database):
            ok = ok and os.environ.get("CHECKER_REQUIRE_SERVICES") != "1"
            continue
        figures = run(argparse.Namespace(**{**vars(args), "database": database}))
        print(json.dumps(figures, indent=2, default=str), flush=True)
        runs.append(figures)
        ok = ok and figures["http_5xx"] == 0 and figures["client_errors"] == 0 and figures["items_lost"] == 0
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2, default=str) + "\n")
    print("OK: no 5xx, no client error, nothing lost" if ok
          else "FAILED: see http_5xx, client_errors, items_lost")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
