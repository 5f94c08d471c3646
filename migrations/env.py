"""Alembic environment: migrates the checker database (a passed-in connection, or CHECKER_DATABASE_URL)."""
from __future__ import annotations

from alembic import context

from checker.storage import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    from checker.config import Settings

    return config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url


def run_migrations(connection) -> None:  # noqa: ANN001 - an sqlalchemy Connection
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # Storage.upgrade() passes its own connection
        run_migrations(connection)
        return
    engine = make_engine(_database_url())
    try:
        with engine.begin() as conn:
            run_migrations(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")
run_online()
