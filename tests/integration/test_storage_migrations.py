"""The Alembic migrations build exactly the tables the models describe, upgrade a database made before
migrations existed without losing its checks, and can be run by several processes starting at once."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from checker.migrate import alembic_config, current_revision, head_revision
from checker.storage import Base, Storage, make_engine

TABLES = {"alembic_version", "api_keys", "batch_items", "batches", "checks", "images"}


def _diff(storage: Storage) -> list:
    with storage.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgrade_builds_the_schema_of_the_models(database_url: str) -> None:
    storage = Storage.from_url(database_url)
    try:
        assert current_revision(storage.engine) == head_revision() == "0002"
        assert set(inspect(storage.engine).get_table_names()) == TABLES
        assert _diff(storage) == []  # a model change without a migration fails here
        storage.upgrade()  # a second start finds nothing to do
        assert current_revision(storage.engine) == head_revision()
    finally:
        storage.dispose()


def test_downgrade_to_nothing_and_back_up(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        for target, tables in (("head", TABLES), ("0001", {"alembic_version", "checks"}),
                               ("base", {"alembic_version"}), ("head", TABLES)):
            with engine.begin() as conn:
                config = alembic_config(conn)
                (command.upgrade if target == "head" else command.downgrade)(config, target)
            assert set(inspect(engine).get_table_names()) == tables
    finally:
        engine.dispose()


def test_a_database_from_before_migrations_is_stamped_and_upgraded(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:  # the first pipeline's create_all(): a checks table, no alembic_version
        command.upgrade(alembic_config(conn), "0001")
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text("INSERT INTO checks (id, created_at, filename, report) VALUES ('old-check-id-"
                          "0000000000', '2026-11-01 10:00:00', 'old.jpg', '{\"schema\": \"x\"}')"))
    engine.dispose()
    storage = Storage.from_url(database_url)
    try:
        assert current_revision(storage.engine) == head_revision()
        assert storage.get_check("old-check-id-0000000000") == {"schema": "x"}
        assert storage.list_checks()[0]["revision"] == 0
        assert _diff(storage) == []
    finally:
        storage.dispose()


def test_processes_starting_together_migrate_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Storage.from_url(url).dispose()
        except BaseException as e:  # noqa: BLE001 - asserted below
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    storage = Storage.from_url(url, create=False)
    assert current_revision(storage.engine) == head_revision()
    storage.dispose()


@pytest.mark.postgres
def test_postgres_starts_together_migrate_once(postgres_url: str) -> None:
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Storage.from_url(postgres_url).dispose()
        except BaseException as e:  # noqa: BLE001 - asserted below
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
