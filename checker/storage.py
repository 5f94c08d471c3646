"""Stored checks (SQLAlchemy 2 ORM); the only module that opens sessions and commits."""
from __future__ import annotations

import copy
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Engine, String, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from checker.errors import CheckerError

SQLITE_BUSY_TIMEOUT_MS = 5000
ID_BYTES = 16  # secrets.token_urlsafe(16): 22 characters, 128 bits, not guessable
MAX_ID_LENGTH = 64


class CheckNotFoundError(CheckerError):
    """No stored check has the id asked for."""

    code = "not_found"
    http_status = 404

    def __init__(self, message: str = "No check with this id was found: the link may be wrong.") -> None:
        super().__init__(message)


class Base(DeclarativeBase):
    """Declarative base of every table (Alembic will target Base.metadata)."""


class Check(Base):
    """One stored report."""

    __tablename__ = "checks"

    id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    verdict: Mapped[str | None] = mapped_column(String(16), index=True)
    product: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    checker_version: Mapped[str | None] = mapped_column(String(32))
    reference_version: Mapped[str | None] = mapped_column(String(64))
    report: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and its parent directory created."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database or ""
    if database in ("", ":memory:"):
        # one shared in-memory database for every thread (tests)
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Storage:
    """Saves and reads checks; one per app (holds the engine and session factory)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, *, create: bool = True) -> Storage:
        storage = cls(make_engine(url))
        if create:
            storage.create_all()
        return storage

    def create_all(self) -> None:
        """Create missing tables (until Alembic migrations take over)."""
        Base.metadata.create_all(self.engine)

    def save_check(self, report: dict[str, Any]) -> str:
        """Store a report under a new random id; the stored copy carries that id and created_at."""
        check_id = secrets.token_urlsafe(ID_BYTES)
        now = datetime.now(UTC)
        stored = {**copy.deepcopy(report), "id": check_id, "created_at": now.isoformat(timespec="seconds")}
        row = Check(id=check_id, created_at=now, report=stored, **_columns(stored))
        with self._sessions.begin() as session:
            session.add(row)
        return check_id

    def get_check(self, check_id: str) -> dict[str, Any] | None:
        """The stored report, or None when no check has this id."""
        if not check_id or len(check_id) > MAX_ID_LENGTH:
            return None
        with self._sessions() as session:
            row = session.get(Check, check_id)
            return None if row is None else row.report

    def dispose(self) -> None:
        self.engine.dispose()


def _columns(report: dict[str, Any]) -> dict[str, Any]:
    """The indexed columns, taken from the report (all optional: an old or odd report still saves)."""
    inp = report.get("input") or {}
    versions = report.get("versions") or {}
    return {
        "filename": _text(inp.get("filename"), 255),
        "sha256": _text(inp.get("sha256"), 64),
        "verdict": _text(report.get("verdict"), 16),
        "product": _text(_product_name(report.get("product")), 255),
        "language": _text(report.get("language"), 8),
        "checker_version": _text(versions.get("checker"), 32),
        "reference_version": _text(versions.get("reference"), 64),
    }


def _product_name(product: Any) -> str | None:
    if isinstance(product, dict):
        return product.get("name")
    return product


def _text(value: Any, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]
