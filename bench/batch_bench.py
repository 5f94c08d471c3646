"""Batch throughput: N generated label photos submitted as one zip to POST /api/v1/batches of an
in-process app, checked by its worker pool with 1 and with 2 workers; wall time, items/s, CPU seconds
per item (independent of what else the machine runs: 2 free cores give at most 2 / cpu_s_per_item
items/s), peak memory.

    .venv/bin/python bench/batch_bench.py [--n 500] [--workers 1,2] [--worker-process] [--json out.json]

Each run gets a fresh SQLite database (so no report is reused from an earlier run). The photos are
small variations (lot number, best-before date, width, JPEG quality) of four rendered labels in four
languages, so every file has different bytes and is really read by Tesseract.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from tests.render import render_label  # noqa: E402
from tests.sample_labels import DE_PASS, EN_FAIL, FR_FAIL, NL_PASS  # noqa: E402

LABELS = (NL_PASS, EN_FAIL, DE_PASS, FR_FAIL)
WIDTHS = (900, 960, 1020)
POLL_SECONDS = 0.5


def make_photos(n: int) -> list[tuple[str, bytes]]:
    """n distinct JPEGs: label text + its own lot number, at one of a few widths and qualities."""
    photos = []
    for i in range(n):
        extra = f"Lot: B{i:05d}  {1 + i % 28:02d}-{1 + i % 12:02d}-2027"
        text = LABELS[i % len(LABELS)].rstrip("\n") + f"\n{extra}\n"
        image = render_label(text, width=WIDTHS[i % len(WIDTHS)], font_size=21)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=85 + i % 10)
        photos.append((f"label-{i:04d}.jpg", buffer.getvalue()))
    return photos


def zip_of(photos: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:  # JPEGs do not compress
        for name, data in photos:
            zf.writestr(name, data)
    return buffer.getvalue()


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


STORAGE_TIMES: dict[str, list[float]] = {}


def time_storage() -> None:
    """Record how long each claim and each save of a batch item takes (the storage stage of a check)."""
    from checker.storage import Storage

    for name in ("claim_next_item", "complete_item"):
        method = getattr(Storage, name)

        def timed(self: Storage, *args: object, _method=method, _name=name, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return _method(self, *args, **kwargs)
            finally:
                STORAGE_TIMES.setdefault(_name, []).append(time.perf_counter() - started)

        setattr(Storage, name, timed)


def run(archive: bytes, workers: int, n: int) -> dict:
    from checker.jobs import JOBS_KEY
    from checker.web.app import create_app
    from checker.web.extensions import SERVICES_KEY

    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "INSTANCE_DIR": tmp,
                          "SECRET_KEY": "bench", "WORKERS": workers, "API_AUTH": False,
                          "RATELIMIT_ADDRESS": "off", "RATELIMIT_KEY": "off", "RATELIMIT_UPLOADS": "off"})
        client = app.test_client()
        cpu_start = _cpu_seconds()
        start = time.perf_counter()
        response = client.post("/api/v1/batches", data={"files": [(io.BytesIO(archive), "labels.zip")]},
                               content_type="multipart/form-data")
        accepted = time.perf_counter() - start
        assert response.status_code == 202, response.get_json()
        url = response.get_json()["status_url"]
        last = -1
        while (status := client.get(url).get_json())["status"] != "done":
            finished = status["counts"]["done"] + status["counts"]["failed"]
            if finished // 50 != last // 50:
                print(f"  {workers} worker(s): {finished}/{n} after {time.perf_counter() - start:.0f} s",
                      file=sys.stderr)
            last = finished
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - start
        cpu = _cpu_seconds() - cpu_start
        storage = {f"storage_{name}_ms_median": round(1000 * statistics.median(times), 1)
                   for name, times in STORAGE_TIMES.items() if times}
        STORAGE_TIMES.clear()
        verdicts = Counter(i["verdict"] for i in status["items"])
        app.extensions[JOBS_KEY].stop()
        app.extensions[SERVICES_KEY].storage.dispose()
    return {"workers": workers, "n": n, "accepted_s": round(accepted, 2), "wall_s": round(wall, 1),
            "items_per_s": round(n / wall, 2), "s_per_item": round(wall / n, 2),
            # CPU seconds per item (this process + Tesseract): what the machine's load does not change
            "cpu_s_per_item": round(cpu / n, 2), "load_avg_1min_end": round(os.getloadavg()[0], 1),
            "done": status["counts"]["done"], "failed": status["counts"]["failed"],
            "verdicts": dict(verdicts), **storage}


# `python -m checker worker --workers N` that prints its own peak resident memory when it stops (its
# Tesseract children are not counted: a forked child's maxrss starts from the parent's pages)
WORKER_WITH_PEAK = (
    "import atexit, resource, runpy, sys\n"
    "atexit.register(lambda: print(f'maxrss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}',"
    " file=sys.stderr))\n"
    "sys.argv = ['checker', 'worker', '--workers', sys.argv[1]]\n"
    "runpy.run_module('checker', run_name='__main__')\n")


def run_worker_process(archive: bytes, workers: int, n: int) -> dict:
    """The batch submitted to an app with no workers of its own and checked by a separate
    `python -m checker worker` process, with that process's peak memory."""
    import subprocess

    from checker.jobs import JOBS_KEY
    from checker.web.app import create_app
    from checker.web.extensions import SERVICES_KEY

    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": tmp, "SECRET_KEY": "bench", "WORKERS": 0,
                          "API_AUTH": False, "RATELIMIT_ADDRESS": "off", "RATELIMIT_KEY": "off",
                          "RATELIMIT_UPLOADS": "off"})
        client = app.test_client()
        response = client.post("/api/v1/batches", data={"files": [(io.BytesIO(archive), "labels.zip")]},
                               content_type="multipart/form-data")
        assert response.status_code == 202, response.get_json()
        status_url = response.get_json()["status_url"]
        env = {**os.environ, "CHECKER_DATABASE_URL": url, "CHECKER_INSTANCE_DIR": tmp,
               "CHECKER_SECRET_KEY": "bench"}
        start = time.perf_counter()
        worker = subprocess.Popen([sys.executable, "-c", WORKER_WITH_PEAK, str(workers)], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while (status := client.get(status_url).get_json())["status"] != "done":
            if worker.poll() is not None:
                break
            time.sleep(POLL_SECONDS)
        wall = time.perf_counter() - start
        worker.terminate()  # SIGTERM: the worker finishes its items, stops and reports its peak
        _, err = worker.communicate(timeout=120)
        peak_kb = int(next((ln.split("=")[1] for ln in err.splitlines() if ln.startswith("maxrss_kb=")), 0))
        app.extensions[JOBS_KEY].stop()
        app.extensions[SERVICES_KEY].storage.dispose()
    return {"worker_process": True, "workers": workers, "n": n, "wall_s": round(wall, 1),
            "items_per_s": round(n / wall, 2), "done": status["counts"]["done"],
            "failed": status["counts"]["failed"], "worker_peak_mb": round(peak_kb / 1024)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="photos in the batch (default 500)")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 2 or 1,2 (default 1,2)")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--worker-process", action="store_true",
                        help="also check the batch in a separate `python -m checker worker` process")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    t0 = time.perf_counter()
    archive = zip_of(make_photos(args.n))
    print(f"generated {args.n} photos ({len(archive) / 1e6:.1f} MB zip) in {time.perf_counter() - t0:.0f} s",
          file=sys.stderr)
    time_storage()
    results = []
    for workers in counts:
        result = run(archive, workers, args.n)
        results.append(result)
        print(json.dumps(result), flush=True)
    # the app process (workers are threads in it); Tesseract children are not counted: a forked child's
    # maxrss includes the parent's pages from before exec, so it would only repeat this figure
    peak = {"app_process_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    if args.worker_process:
        separate = run_worker_process(archive, max(counts), args.n)
        print(json.dumps(separate), flush=True)
        peak["worker_process_mb"] = separate["worker_peak_mb"]
    print(json.dumps({"peak_memory": peak}))
    if len(results) > 1:
        base = results[0]["wall_s"]
        for r in results[1:]:
            print(f"speed-up {r['workers']} vs {results[0]['workers']} worker(s): {base / r['wall_s']:.2f}x")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": results, "peak_memory": peak}, indent=2) + "\n")
    return 0 if all(r["done"] + r["failed"] == r["n"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
