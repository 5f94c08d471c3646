"""Fixtures for the servers some tests need: PostgreSQL and Redis (plus a real Celery worker).

A server that cannot be reached skips its tests with the reason, unless CHECKER_REQUIRE_SERVICES=1
(set by .ci/run), in which case the test fails: CI machines have both servers (and Debian's Tesseract
data, which tests/integration/test_protected_words.py needs).
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("CHECKER_TEST_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = os.environ.get("CHECKER_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
REQUIRE = os.environ.get("CHECKER_REQUIRE_SERVICES") == "1"
CONNECT_TIMEOUT = 3


def missing_on_this_machine(what: str, reason: str) -> None:
    """Skip a test this machine cannot run, saying why; on CI (CHECKER_REQUIRE_SERVICES=1, which has
    everything the tests need) fail instead, so that nothing CI should see is skipped."""
    if REQUIRE:
        pytest.fail(f"{what} is required (CHECKER_REQUIRE_SERVICES=1) but not usable: {reason}")
    pytest.skip(f"{reason}. Under CHECKER_REQUIRE_SERVICES=1 (CI) this fails instead.")


def unavailable(service: str, reason: str) -> None:
    """Skip (or, with CHECKER_REQUIRE_SERVICES=1, fail) a test whose server is not there."""
    missing_on_this_machine(service, f"{service} not reachable ({reason}); start it or set "
                                     f"CHECKER_TEST_{service.upper()}_URL")


def _pg_connect(url: str):  # noqa: ANN202 - a psycopg connection
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True,
                           connect_timeout=CONNECT_TIMEOUT)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database for this test session (one per xdist worker), dropped at the end."""
    import psycopg
    from sqlalchemy.engine import make_url

    try:
        admin = _pg_connect(POSTGRES_URL)
    except psycopg.Error as e:
        unavailable("postgres", f"{POSTGRES_URL}: {str(e).strip().splitlines()[0] if str(e).strip() else e}")
    name = f"checker_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """A URL whose connections work in a schema of their own (created here, dropped after the test)."""
    schema = f"t_{secrets.token_hex(6)}"
    with _pg_connect(postgres_database) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield f"{postgres_database}?options=-csearch_path%3D{schema}"
    with _pg_connect(postgres_database) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'checks.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=CONNECT_TIMEOUT).ping()
    except redis.RedisError as e:
        unavailable("redis", f"{REDIS_URL}: {e}")
    return REDIS_URL


class CeleryWorker:
    """A real `celery -A checker.jobs worker` process on its own queue."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryWorker:
        celery = Path(sys.executable).with_name("celery")
        cmd = [str(celery), "-A", "checker.jobs", "worker", "--pool=solo", "-c", "1",
               "-Q", self.env["CHECKER_CELERY_QUEUE"], "-n", f"test-{secrets.token_hex(3)}@%h",
               "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info"]
        with open(self.log, "ab") as fh:
            self.process = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=fh, stderr=subprocess.STDOUT)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def celery_env(redis_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for the app and the worker: shared SQLite file, a queue of its own on Redis."""
    import redis

    queue = f"checker-test-{secrets.token_hex(4)}"
    env = {**os.environ, "CHECKER_CELERY_BROKER_URL": redis_url, "CHECKER_CELERY_QUEUE": queue,
           "CHECKER_DATABASE_URL": f"sqlite:///{tmp_path / 'shared.sqlite3'}",
           "CHECKER_INSTANCE_DIR": str(tmp_path),
           "CHECKER_WORKERS": "0", "OMP_THREAD_LIMIT": "1", "CHECKER_SECRET_KEY": "celery-test-secret"}
    yield env
    priority_queues = [f"{queue}\x06\x16{n}" for n in (3, 6, 9)]  # kombu's keys for task priorities
    redis.Redis.from_url(redis_url).delete(queue, *priority_queues)


@pytest.fixture
def celery_worker(celery_env: dict[str, str], tmp_path: Path) -> Iterator[CeleryWorker]:
    worker = CeleryWorker(celery_env, tmp_path / "celery-worker.log").start()
    yield worker
    worker.stop()


def wait_for(condition, timeout: float, interval: float = 0.2, message: str = "") -> None:  # noqa: ANN001
    """Poll until condition() is true; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    pytest.fail(message or f"condition not met within {timeout} s")
