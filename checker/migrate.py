"""Bring a database schema up to date with the Alembic migrations in migrations/ (one process at a time)."""
from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
INITIAL_REVISION = "0001"
PG_LOCK_KEY = 7_302_114_551  # pg_advisory_xact_lock key shared by every checker process
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic settings pointing at migrations/, using `connection` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """`alembic upgrade head` on this engine; a database from before migrations is stamped first."""
    if current_revision(engine) == head_revision():
        return  # the usual start: nothing to do, no lock taken
    with _lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        config = alembic_config(conn)
        tables = set(inspect(conn).get_table_names())
        if "checks" in tables and VERSION_TABLE not in tables:
            command.stamp(config, INITIAL_REVISION)  # made by create_all() before migrations existed
        command.upgrade(config, "head")


@contextmanager
def _lock(engine: Engine) -> Iterator[None]:
    """SQLite: an exclusive lock file beside the database (PostgreSQL uses an advisory lock)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
