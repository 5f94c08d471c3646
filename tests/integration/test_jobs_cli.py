"""`python -m checker batch DIR_OR_ZIP --out results.csv`: one row per label, resumable without checking a
finished file twice; `python -m checker keys ...` manages API keys that are shown only once."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from checker import cli, jobs
from checker.storage import Storage
from tests.fake_pipeline import CountingPipeline
from tests.render import render_label, to_bytes
from tests.services import ROOT, wait_for


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database of its own for the command (CHECKER_INSTANCE_DIR)."""
    monkeypatch.setenv("CHECKER_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("CHECKER_DATABASE_URL", raising=False)
    return tmp_path / "instance"



@pytest.fixture
def folder(tmp_path: Path) -> Path:
    source = tmp_path / "labels"
    (source / "shelf 2").mkdir(parents=True)
    (source / "a.png").write_bytes(b"photo a")
    (source / "shelf 2" / "b.png").write_bytes(b"photo b")
    (source / "c.txt").write_bytes(b"bad: a note, not a photo")
    (source / ".DS_Store").write_bytes(b"hidden")
    return source


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return cli.main(list(args), stdout=out), out.getvalue()


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8", newline="")))


def test_a_folder_becomes_one_csv_row_per_label(env: Path, folder: Path, pipeline: CountingPipeline,
                                                tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    status, _ = run("batch", str(folder), "--out", str(out), "--quiet")
    assert status == 1  # one file failed
    assert [(r["file"], r["status"], r["verdict"]) for r in rows(out)] == [
        ("a.png", "done", "pass"), ("c.txt", "failed", ""), ("shelf 2/b.png", "done", "pass")]
    assert rows(out)[1]["error"] == "unsupported_media_type: This is not a photo."
    assert list(rows(out)[0]) == ["file", "status", "verdict", "product", "barcode", "actives", "additives",
                                  "allergens", "findings", "error", "check_id"]
    assert json.loads(out.with_name("results.csv.batch").read_text())["source"] == str(folder.resolve())


def test_running_again_continues_and_never_checks_a_file_twice(env: Path, folder: Path,
                                                               pipeline: CountingPipeline, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "results.csv"
    real = jobs.WorkerPool.start

    def interrupted(pool: jobs.WorkerPool) -> jobs.WorkerPool:  # checks one file, then Ctrl+C
        item = pool.job.storage.claim_next_item("test", batch_id=pool.batch_id)
        jobs.process_item(job=pool.job, claimed=item)
        raise KeyboardInterrupt

    monkeypatch.setattr(jobs.WorkerPool, "start", interrupted)
    assert run("batch", str(folder), "--out", str(out), "--quiet")[0] == 130
    assert not out.exists() and sum(pipeline.calls.values()) == 1
    monkeypatch.setattr(jobs.WorkerPool, "start", real)
    assert run("batch", str(folder), "--out", str(out), "--quiet")[0] == 1
    assert run("batch", str(folder), "--out", str(out), "--quiet")[0] == 1  # finished: nothing to do
    assert set(pipeline.calls.values()) == {1} and len(rows(out)) == 3
    assert run("batch", str(folder), "--out", str(out), "--quiet", "--restart")[0] == 1
    assert set(pipeline.calls.values()) == {2}  # --restart checks everything again


def test_a_zip_gives_json_lines(env: Path, pipeline: CountingPipeline, tmp_path: Path) -> None:
    archive = tmp_path / "labels.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x.png", b"photo x")
        zf.writestr("../escape.png", b"photo")
    out = tmp_path / "out" / "results.jsonl"
    assert run("batch", str(archive), "--out", str(out), "--quiet")[0] == 1
    reports = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["input"]["filename"], r["verdict"], (r.get("error") or {}).get("code")) for r in reports] == [
        ("x.png", "pass", None), ("../escape.png", None, "unsafe_name")]


@pytest.mark.parametrize(("args", "message"), [
    (["batch", "/no/such/folder", "--out", "x.csv"], "does not exist"),
    (["batch", ".", "--out", "x.csv", "--workers", "0"], "--workers must be 1 or more"),
])
def test_bad_batch_arguments_are_explained(env: Path, args: list[str], message: str,
                                           capsys: pytest.CaptureFixture) -> None:
    assert run(*args)[0] == 2
    assert message in capsys.readouterr().err


def test_keys_are_printed_once_listed_without_the_key_and_revoked(env: Path,
                                                                   capsys: pytest.CaptureFixture) -> None:
    status, key = run("keys", "create", "lab robot")
    key = key.strip()
    assert status == 0 and len(key) >= 40 and "only time" in capsys.readouterr().err
    status, listing = run("keys", "list")
    key_id, name, _created, state = listing.strip().split("\t")
    assert (name, state) == ("lab robot", "active") and key not in listing
    storage = Storage.from_url(f"sqlite:///{env / 'checker.sqlite3'}")
    assert storage.api_key_owner(key) == key_id
    assert run("keys", "revoke", key_id)[0] == 0 and storage.api_key_owner(key) is None
    assert run("keys", "revoke", key_id)[0] == 1
    assert "revoked" in run("keys", "list")[1]
    storage.dispose()


@pytest.mark.tesseract
@pytest.mark.slow
def test_ctrl_c_stops_the_command_and_the_next_run_finishes_the_batch(tmp_path: Path) -> None:
    source = tmp_path / "photos"
    source.mkdir()
    n = 12  # enough that Ctrl+C after the first lands before the last is done, even on a loaded machine
    for i in range(n):
        label = render_label(f"Label {i}\nsodium butyrate {100 * (i + 1)} mg", width=420, font_size=22)
        (source / f"l{i}.png").write_bytes(to_bytes(label, "PNG"))
    out = tmp_path / "results.csv"
    env = {**os.environ, "CHECKER_INSTANCE_DIR": str(tmp_path / "instance"), "OMP_THREAD_LIMIT": "1"}
    env.pop("CHECKER_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "checker", "batch", str(source), "--out", str(out), "--workers", "1"]
    storage = Storage.from_url(f"sqlite:///{tmp_path / 'instance' / 'checker.sqlite3'}")

    def done() -> int:
        state = out.with_name("results.csv.batch")
        if not state.exists():
            return 0
        batch_id = json.loads(state.read_text())["batch_id"]
        return storage.batch_status(batch_id, with_items=False)["counts"]["done"]

    first = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for(lambda: done() >= 1, 60, interval=0.05)
    first.send_signal(signal.SIGINT)
    assert first.wait(60) == 130 and "run the same command again" in first.stderr.read().decode()
    assert done() < n and not out.exists()
    second = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert second.returncode == 0, second.stderr.decode()[-2000:]
    assert [r["file"] for r in rows(out)] == sorted(f"l{i}.png" for i in range(n))
    assert len({r["check_id"] for r in rows(out)}) == n and all(r["verdict"] for r in rows(out))
    with storage.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT count(*) FROM checks")).scalar_one() == n  # none checked twice
    storage.dispose()
