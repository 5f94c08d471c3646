"""Stored checks, images, batches and API keys (SQLAlchemy 2, Alembic); the only module that commits."""
from __future__ import annotations

import copy
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool

from checker.errors import CheckerError

SQLITE_BUSY_TIMEOUT_MS = 5000
ID_BYTES = 16  # secrets.token_urlsafe(16): 22 characters, 128 bits, not guessable
KEY_ID_BYTES = 9  # api key ids are shown and typed (keys revoke ID), not secret: 12 characters
API_KEY_BYTES = 32
MAX_ID_LENGTH = 64
MAX_ATTEMPTS = 3  # an item that failed transiently (or was interrupted) this often is marked failed
RETRY_BACKOFF_SECONDS = (5, 30, 120)
DEFAULT_MEDIA_TYPE = "application/octet-stream"
REVISION_SOURCE = "edited text"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
PG_MIGRATION_LOCK = 7_302_114_551  # pg_advisory_lock key: one process migrates at a time

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ITEM_STATUSES = (QUEUED, RUNNING, DONE, FAILED)
PENDING = (QUEUED, RUNNING)


class CheckNotFoundError(CheckerError):
    """No stored check has the id asked for."""

    code = "not_found"
    http_status = 404

    def __init__(self, message: str = "No check with this id was found: the link may be wrong.") -> None:
        super().__init__(message)


class BatchNotFoundError(CheckerError):
    """No batch with that id (or not one the caller may see)."""

    code = "not_found"
    http_status = 404

    def __init__(self, message: str = "No batch with this id was found: the link may be wrong.") -> None:
        super().__init__(message)


def new_id() -> str:
    """A random, unguessable URL-safe id that starts with a letter or digit: one starting with "-"
    would be read as a formula in the CSV results (and so be written there with an apostrophe)."""
    while True:
        value = secrets.token_urlsafe(ID_BYTES)
        if value[0].isalnum():
            return value


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive (they are stored in UTC): make them aware again."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    value = _utc(value)
    return None if value is None else value.isoformat(timespec="seconds")


def hash_key(key: str) -> str:
    """The stored form of an API key: its SHA-256 in hex (keys are random, so no salt is needed)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def recipe_key(parts: dict[str, Any]) -> str:
    """A short hash of everything that decides a report besides the image (versions, OCR settings)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


# ---------------------------------------------------------------- tables
# constraint names the migrations can refer to (SQLite's batch mode needs named constraints)
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table (Alembic migrations in migrations/ follow Base.metadata)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


REPORT_JSON = JSON().with_variant(JSONB(), "postgresql")


class StoredImage(Base):
    """Uploaded bytes, stored once per SHA-256 (shared by every check and batch item of that file)."""

    __tablename__ = "images"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Check(Base):
    """One stored report (an image check, or a re-check of edited text with parent_id set)."""

    __tablename__ = "checks"
    __table_args__ = (Index("ix_checks_sha256_recipe", "sha256", "recipe"),)

    id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    verdict: Mapped[str | None] = mapped_column(String(16), index=True)
    product: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    checker_version: Mapped[str | None] = mapped_column(String(32))
    reference_version: Mapped[str | None] = mapped_column(String(64))
    report: Mapped[dict[str, Any]] = mapped_column(REPORT_JSON)
    barcode: Mapped[str | None] = mapped_column(String(64), index=True)
    owner: Mapped[str | None] = mapped_column(String(MAX_ID_LENGTH), index=True)
    parent_id: Mapped[str | None] = mapped_column(
        String(MAX_ID_LENGTH), ForeignKey("checks.id", ondelete="SET NULL"), index=True)
    root_id: Mapped[str | None] = mapped_column(String(MAX_ID_LENGTH), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    text: Mapped[str | None] = mapped_column(Text)
    image_sha256: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("images.sha256", ondelete="SET NULL"), index=True)
    recipe: Mapped[str | None] = mapped_column(String(64))


class Batch(Base):
    """Many files submitted at once; its status is derived from its items."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(MAX_ID_LENGTH), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    total: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(1024))


class BatchItem(Base):
    """One file of a batch: queued -> running -> done | failed (back to queued on a transient error)."""

    __tablename__ = "batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "position", name="uq_batch_items_position"),
                      Index("ix_batch_items_claim", "status", "available_at"))

    id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), ForeignKey("batches.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    image_sha256: Mapped[str | None] = mapped_column(String(64), ForeignKey("images.sha256"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    check_id: Mapped[str | None] = mapped_column(
        String(MAX_ID_LENGTH), ForeignKey("checks.id", ondelete="SET NULL"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A client of the API; only the SHA-256 of the key is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(MAX_ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class ClaimedItem:
    """A batch item a worker has claimed (status running) and must now complete or fail."""

    id: str
    batch_id: str
    position: int
    filename: str
    image_sha256: str | None
    attempts: int
    owner: str | None


# ---------------------------------------------------------------- engine
def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and its parent directory created."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the pinned driver
        return create_engine(parsed, pool_pre_ping=True)
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


def is_transient(error: BaseException) -> bool:
    """True for database errors worth retrying (locked/busy SQLite, dropped or serialisation-failed PG)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(error, OperationalError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


class Storage:
    """Saves and reads checks, images, batches and API keys; one per process (engine + sessions)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.dialect = engine.dialect.name
        memory = isinstance(engine.pool, StaticPool)
        # an in-memory database is one connection: serialise writers instead of BEGIN IMMEDIATE
        self._memory_lock = threading.RLock() if memory else None
        self.retry_backoff: tuple[float, ...] = RETRY_BACKOFF_SECONDS

    @classmethod
    def from_url(cls, url: str, *, create: bool = True) -> Storage:
        """Open the database at `url`; `create` brings its schema up to date (alembic upgrade head)."""
        storage = cls(make_engine(url))
        if create:
            storage.upgrade()
        return storage

    def upgrade(self) -> None:
        """Run the Alembic migrations up to head (safe when several processes start at once)."""
        from checker.migrate import upgrade

        upgrade(self.engine)

    def create_all(self) -> None:
        """Create missing tables straight from the models (tests of the models only; use upgrade())."""
        Base.metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------ sessions
    @contextmanager
    def _write(self) -> Iterator[Session]:
        """A write transaction; on SQLite it takes the write lock up front (BEGIN IMMEDIATE), so a
        read-then-write never fails half-way with 'database is locked'."""
        with self._memory_lock or nullcontext(), self._sessions() as session:
            if self.dialect == "sqlite" and self._memory_lock is None:
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._memory_lock or nullcontext(), self._sessions() as session:
            yield session

    def _insert_image(self, session: Session, data: bytes, media_type: str | None) -> str:
        sha = hashlib.sha256(data).hexdigest()
        values = {"sha256": sha, "media_type": (media_type or DEFAULT_MEDIA_TYPE)[:100], "size": len(data),
                  "data": data, "created_at": _now()}
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        session.execute(insert(StoredImage).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
        return sha

    # ------------------------------------------------------------ checks
    def save_check(self, report: dict[str, Any], *, image: bytes | None = None, media_type: str | None = None,
                   owner: str | None = None, parent_id: str | None = None, text: str | None = None,
                   recipe: str | None = None) -> str:
        """Store a report under a new random id; the stored copy carries that id and created_at.

        With `image` the bytes are kept once per SHA-256. With `parent_id` the report is a revision
        of that check (report["revision"] = {"of", "n", "source"}); CheckNotFoundError if the parent is
        not visible to `owner`. `recipe` (see recipe_key) lets a later identical upload reuse it.
        """
        with self._write() as session:
            check = self._add_check(session, report, image=image, media_type=media_type, owner=owner,
                                    parent_id=parent_id, text=text, recipe=recipe)
        return check.id

    def _add_check(self, session: Session, report: dict[str, Any], *, image: bytes | None = None,
                   media_type: str | None = None, owner: str | None = None, parent_id: str | None = None,
                   text: str | None = None, recipe: str | None = None) -> Check:
        check_id = new_id()
        now = _now()
        stored = {**copy.deepcopy(report), "id": check_id, "created_at": now.isoformat(timespec="seconds")}
        root_id, revision = None, 0
        if parent_id is not None:
            parent = _visible(session, Check, parent_id, owner)
            if parent is None:
                raise CheckNotFoundError()
            root_id = parent.root_id or parent.id
            latest = session.scalar(select(func.max(Check.revision)).where(Check.root_id == root_id))
            revision = (latest or 0) + 1
            stored["revision"] = {"of": parent_id, "n": revision, "source": REVISION_SOURCE}
        image_sha = self._insert_image(session, image, media_type) if image is not None else None
        row = Check(id=check_id, created_at=now, report=stored, owner=owner, parent_id=parent_id,
                    root_id=root_id, revision=revision, text=text, image_sha256=image_sha,
                    recipe=None if stored.get("error") else recipe, **_columns(stored))
        session.add(row)
        session.flush()
        return row

    def get_check(self, check_id: str, *, owner: str | None = None) -> dict[str, Any] | None:
        """The stored report, or None when no check has this id (or it belongs to another owner).

        owner=None means no restriction (the browser pages); an API key passes its own id.
        """
        if not _plausible_id(check_id):
            return None
        with self._read() as session:
            row = _visible(session, Check, check_id, owner)
            return None if row is None else row.report

    def get_check_image_sha256(self, check_id: str, *, owner: str | None = None) -> str | None:
        """SHA-256 of the image stored with a check (for get_image), if any."""
        if not _plausible_id(check_id):
            return None
        with self._read() as session:
            row = _visible(session, Check, check_id, owner)
            return None if row is None else row.image_sha256

    def list_checks(self, *, q: str | None = None, barcode: str | None = None, owner: str | None = None,
                    limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Newest first; `q` matches product name or file name (case-insensitive), `barcode` exactly."""
        query = select(Check.id, Check.created_at, Check.filename, Check.product, Check.verdict,
                       Check.language, Check.barcode, Check.parent_id, Check.revision)
        if owner is not None:
            query = query.where(Check.owner == owner)
        if q:
            pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(or_(Check.product.ilike(pattern, escape="\\"),
                                    Check.filename.ilike(pattern, escape="\\")))
        if barcode:
            query = query.where(Check.barcode == barcode)
        query = query.order_by(Check.created_at.desc(), Check.id).limit(max(0, min(limit, 1000)))
        query = query.offset(max(0, offset))
        with self._read() as session:
            rows = session.execute(query).all()
        return [{"id": r.id, "created_at": _iso(r.created_at), "filename": r.filename, "product": r.product,
                 "verdict": r.verdict, "language": r.language, "barcode": r.barcode,
                 "parent_id": r.parent_id, "revision": r.revision} for r in rows]

    def delete_check(self, check_id: str, *, owner: str | None = None) -> bool:
        """Delete a check (its revisions stay, detached); its image goes when nothing else uses it."""
        if not _plausible_id(check_id):
            return False
        with self._write() as session:
            row = _visible(session, Check, check_id, owner)
            if row is None:
                return False
            sha = row.image_sha256
            session.delete(row)
            session.flush()
            if sha is not None:
                self._drop_unused_image(session, sha)
        return True

    def _drop_unused_image(self, session: Session, sha: str) -> None:
        used = session.scalar(select(func.count()).select_from(Check).where(Check.image_sha256 == sha))
        used = used or session.scalar(
            select(func.count()).select_from(BatchItem).where(BatchItem.image_sha256 == sha))
        if not used:
            session.execute(delete(StoredImage).where(StoredImage.sha256 == sha))

    def get_image(self, sha256: str) -> tuple[bytes, str] | None:
        """The stored bytes and media type of an image, or None."""
        if not sha256 or len(sha256) != 64:
            return None
        with self._read() as session:
            row = session.get(StoredImage, sha256.lower())
            return None if row is None else (row.data, row.media_type)

    def find_reusable(self, sha256: str, recipe: str) -> dict[str, Any] | None:
        """The newest stored report of the same bytes made with the same recipe, if any."""
        query = (select(Check.report).where(Check.sha256 == sha256, Check.recipe == recipe,
                                            Check.parent_id.is_(None))
                 .order_by(Check.created_at.desc()).limit(1))
        with self._read() as session:
            return session.scalar(query)

    # ------------------------------------------------------------ batches
    def create_batch(self, owner: str | None,
                     items: Iterable[tuple[str, bytes | None, CheckerError | None]], *,
                     source: str | None = None, media_type_of: Any = None) -> str:
        """Store a batch: items with data are queued, items with an error are failed at once.

        `media_type_of(data) -> str | None` names the stored bytes' type (optional).
        """
        batch_id = new_id()
        now = _now()
        with self._write() as session:
            rows = []
            for position, (filename, data, error) in enumerate(items):
                row = BatchItem(id=new_id(), batch_id=batch_id, position=position,
                                filename=(filename or "upload")[:255], attempts=0, available_at=now,
                                updated_at=now)
                if error is not None or data is None:
                    error = error or CheckerError("The file could not be read.", code="unreadable")
                    row.status, row.error_code, row.error_message = FAILED, error.code, error.message
                else:
                    kind = media_type_of(data) if media_type_of else None
                    row.status, row.image_sha256 = QUEUED, self._insert_image(session, data, kind)
                rows.append(row)
            session.add(Batch(id=batch_id, owner=owner, created_at=now, total=len(rows), source=source))
            session.flush()
            session.add_all(rows)
        return batch_id

    def batch_item_ids(self, batch_id: str, *, status: str = QUEUED) -> list[str]:
        """Ids of a batch's items with a given status, in file order (to enqueue them)."""
        query = (select(BatchItem.id).where(BatchItem.batch_id == batch_id, BatchItem.status == status)
                 .order_by(BatchItem.position))
        with self._read() as session:
            return list(session.scalars(query))

    def queued_item_ids(self, *, limit: int = 10_000) -> list[str]:
        """Every queued item of every batch (Celery recovery re-enqueues them; duplicates are skipped)."""
        query = (select(BatchItem.id).where(BatchItem.status == QUEUED)
                 .order_by(BatchItem.available_at, BatchItem.position).limit(limit))
        with self._read() as session:
            return list(session.scalars(query))

    def claim_next_item(self, worker_id: str, *, batch_id: str | None = None) -> ClaimedItem | None:
        """Atomically take the oldest queued item that is due (of one batch if given); None if none.

        PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so concurrent workers never wait for or get the
        same row. SQLite: the write lock (BEGIN IMMEDIATE) makes select + guarded update atomic.
        """
        now = _now()
        candidate = (select(BatchItem.id).where(BatchItem.status == QUEUED, BatchItem.available_at <= now)
                     .order_by(BatchItem.available_at, BatchItem.position, BatchItem.id).limit(1))
        if batch_id is not None:
            candidate = candidate.where(BatchItem.batch_id == batch_id)
        if self.dialect == "postgresql":
            candidate = candidate.with_for_update(skip_locked=True)
        with self._write() as session:
            item_id = session.scalar(candidate)
            if item_id is None:
                return None
            return self._claim(session, item_id, worker_id, now)

    def claim_item(self, item_id: str, worker_id: str) -> ClaimedItem | None:
        """Take one given item if it is still queued (Celery tasks); None if done, failed or taken."""
        if not _plausible_id(item_id):
            return None
        with self._write() as session:
            return self._claim(session, item_id, worker_id, _now())

    def _claim(self, session: Session, item_id: str, worker_id: str, now: datetime) -> ClaimedItem | None:
        claimed = session.execute(
            update(BatchItem).where(BatchItem.id == item_id, BatchItem.status == QUEUED)
            .values(status=RUNNING, claimed_at=now, claimed_by=worker_id[:200], updated_at=now,
                    attempts=BatchItem.attempts + 1)
            .returning(BatchItem.id, BatchItem.batch_id, BatchItem.position, BatchItem.filename,
                       BatchItem.image_sha256, BatchItem.attempts)
            .execution_options(synchronize_session=False)).first()
        if claimed is None:
            return None
        owner = session.scalar(select(Batch.owner).where(Batch.id == claimed.batch_id))
        return ClaimedItem(id=claimed.id, batch_id=claimed.batch_id, position=claimed.position,
                           filename=claimed.filename, image_sha256=claimed.image_sha256,
                           attempts=claimed.attempts, owner=owner)

    def complete_item(self, item_id: str, report: dict[str, Any], *, recipe: str | None = None) -> str | None:
        """Save the item's check and mark it done in one transaction; returns the check id.

        Idempotent by item id: an item already done keeps its first check (its id is returned and
        `report` is dropped); a failed or unknown item returns None and stores nothing.
        """
        with self._write() as session:
            item = session.execute(select(BatchItem.status, BatchItem.check_id, BatchItem.batch_id,
                                          BatchItem.image_sha256)
                                   .where(BatchItem.id == item_id).with_for_update()).first()
            if item is None or item.status == FAILED:
                return None
            if item.status == DONE:
                return item.check_id
            owner = session.scalar(select(Batch.owner).where(Batch.id == item.batch_id))
            check = self._add_check(session, report, owner=owner, recipe=recipe)
            check.image_sha256 = item.image_sha256
            now = _now()
            done = session.execute(
                update(BatchItem).where(BatchItem.id == item_id, BatchItem.status.in_(PENDING))
                .values(status=DONE, check_id=check.id, error_code=None, error_message=None, updated_at=now)
                .execution_options(synchronize_session=False))
            if done.rowcount != 1:  # lost a race with another completion: keep nothing of ours
                session.rollback()
                return self._check_id_of(item_id)
            return check.id

    def _check_id_of(self, item_id: str) -> str | None:
        with self._read() as session:
            return session.scalar(select(BatchItem.check_id).where(BatchItem.id == item_id))

    def fail_item(self, item_id: str, code: str, message: str, *, retry: bool = False) -> str | None:
        """Record a failure: with `retry` (and attempts left) the item is queued again after a back-off,
        else it is failed with code and message. A done item is left alone. Returns the new status."""
        now = _now()
        with self._write() as session:
            item = session.execute(select(BatchItem.status, BatchItem.attempts)
                                   .where(BatchItem.id == item_id).with_for_update()).first()
            if item is None or item.status not in PENDING:
                return None if item is None else item.status
            if retry and item.attempts < MAX_ATTEMPTS:
                delay = self.retry_backoff[min(item.attempts, len(self.retry_backoff)) - 1]
                values = {"status": QUEUED, "available_at": now + timedelta(seconds=delay),
                          "claimed_by": None, "claimed_at": None}
            else:
                values = {"status": FAILED}
            session.execute(update(BatchItem).where(BatchItem.id == item_id, BatchItem.status.in_(PENDING))
                            .values(error_code=code[:64], error_message=message, updated_at=now, **values)
                            .execution_options(synchronize_session=False))
            return values["status"]

    def requeue_stale(self, running_for_seconds: float) -> list[str]:
        """Put back items left running longer than that (their worker died); returns their ids."""
        cutoff = _now() - timedelta(seconds=running_for_seconds)
        return self._requeue(BatchItem.claimed_at < cutoff)

    def requeue_claimed_by(self, worker_ids: Iterable[str]) -> list[str]:
        """Put back the running items of workers known to be gone; returns their ids."""
        worker_ids = list(worker_ids)
        if not worker_ids:
            return []
        return self._requeue(BatchItem.claimed_by.in_(worker_ids))

    def _requeue(self, condition: Any) -> list[str]:
        now = _now()
        base = (BatchItem.status == RUNNING, condition)
        with self._write() as session:
            # an item that keeps killing its worker must not loop for ever
            session.execute(update(BatchItem).where(*base, BatchItem.attempts >= MAX_ATTEMPTS)
                            .values(status=FAILED, error_code="interrupted", updated_at=now,
                                    error_message="The check was interrupted too often; the file may be "
                                                  "too hard to read. Try it on its own.")
                            .execution_options(synchronize_session=False))
            result = session.execute(update(BatchItem).where(*base)
                                     .values(status=QUEUED, claimed_by=None, claimed_at=None,
                                             available_at=now, updated_at=now)
                                     .returning(BatchItem.id)
                                     .execution_options(synchronize_session=False))
            return list(result.scalars())

    def running_workers(self) -> list[str]:
        """The distinct worker ids that hold running items."""
        query = select(BatchItem.claimed_by).where(BatchItem.status == RUNNING).distinct()
        with self._read() as session:
            return [w for w in session.scalars(query) if w]

    def batch_status(self, batch_id: str, *, owner: str | None = None,
                     with_items: bool = True) -> dict[str, Any] | None:
        """Status (queued|running|done), counts per item status, and the items with their verdicts."""
        if not _plausible_id(batch_id):
            return None
        with self._read() as session:
            batch = _visible(session, Batch, batch_id, owner)
            if batch is None:
                return None
            counts = dict.fromkeys(ITEM_STATUSES, 0)
            per_status = (select(BatchItem.status, func.count()).where(BatchItem.batch_id == batch_id)
                          .group_by(BatchItem.status))
            for status, n in session.execute(per_status):
                counts[status] = n
            items = self._items(session, batch_id) if with_items else None
        status = batch_state(counts)
        out: dict[str, Any] = {"id": batch.id, "status": status, "created_at": _iso(batch.created_at),
                               "total": batch.total, "counts": counts, "source": batch.source}
        if items is not None:
            out["items"] = items
        return out

    def _items(self, session: Session, batch_id: str) -> list[dict[str, Any]]:
        query = (select(BatchItem.id, BatchItem.position, BatchItem.filename, BatchItem.status,
                        BatchItem.attempts, BatchItem.error_code, BatchItem.error_message, BatchItem.check_id,
                        Check.verdict, Check.product)
                 .outerjoin(Check, Check.id == BatchItem.check_id)
                 .where(BatchItem.batch_id == batch_id).order_by(BatchItem.position))
        return [{"id": r.id, "position": r.position, "file": r.filename, "status": r.status,
                 "attempts": r.attempts, "verdict": r.verdict, "product": r.product, "check_id": r.check_id,
                 "error": ({"code": r.error_code, "message": r.error_message}
                           if r.status == FAILED else None)}
                for r in session.execute(query)]

    def batch_reports(self, batch_id: str, *, owner: str | None = None,
                      chunk: int = 100) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
        """(item, report) in file order; report is None for an item without a stored check."""
        if self.batch_status(batch_id, owner=owner, with_items=False) is None:
            raise BatchNotFoundError()
        with self._read() as session:
            items = self._items(session, batch_id)
        for start in range(0, len(items), chunk):
            part = items[start:start + chunk]
            ids = [i["check_id"] for i in part if i["check_id"]]
            with self._read() as session:
                query = select(Check.id, Check.report).where(Check.id.in_(ids))
                reports = {row.id: row.report for row in session.execute(query)} if ids else {}
            for item in part:
                yield item, reports.get(item["check_id"])

    def item_data(self, item: ClaimedItem) -> bytes | None:
        """The bytes of a claimed item's file."""
        found = self.get_image(item.image_sha256) if item.image_sha256 else None
        return None if found is None else found[0]

    # ------------------------------------------------------------ API keys
    def create_api_key(self, name: str) -> tuple[str, str]:
        """A new key for `name`: returns (key id, the key itself); only the key's hash is stored."""
        key = secrets.token_urlsafe(API_KEY_BYTES)
        key_id = secrets.token_urlsafe(KEY_ID_BYTES)
        with self._write() as session:
            session.add(ApiKey(id=key_id, name=name.strip()[:100] or "unnamed", key_hash=hash_key(key),
                               created_at=_now(), revoked=False))
        return key_id, key

    def list_api_keys(self) -> list[dict[str, Any]]:
        with self._read() as session:
            rows = session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()
        return [{"id": r.id, "name": r.name, "created_at": _iso(r.created_at), "revoked": r.revoked,
                 "revoked_at": _iso(r.revoked_at)} for r in rows]

    def revoke_api_key(self, key_id: str) -> bool:
        """Revoke a key (it stops working at once); False when no such key is active."""
        with self._write() as session:
            result = session.execute(update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked.is_(False))
                                     .values(revoked=True, revoked_at=_now())
                                     .execution_options(synchronize_session=False))
            return result.rowcount == 1

    def api_key_owner(self, key: str) -> str | None:
        """The id of the active key `key`, or None (unknown or revoked)."""
        if not key or len(key) > 200:
            return None
        digest = hash_key(key)
        with self._read() as session:
            row = session.execute(select(ApiKey.id, ApiKey.key_hash)
                                  .where(ApiKey.key_hash == digest, ApiKey.revoked.is_(False))).first()
        if row is None or not hmac.compare_digest(row.key_hash, digest):
            return None
        return row.id


def batch_state(counts: dict[str, int]) -> str:
    """queued: no item checked yet; running: items in progress or checked; done: none left to do."""
    if counts.get(QUEUED, 0) + counts.get(RUNNING, 0) == 0:
        return DONE
    if counts.get(RUNNING, 0) or counts.get(DONE, 0):
        return RUNNING
    return QUEUED


def _plausible_id(value: str | None) -> bool:
    return bool(value) and len(value) <= MAX_ID_LENGTH


def _visible(session: Session, model: Any, row_id: str, owner: str | None) -> Any:
    row = session.get(model, row_id)
    if row is None or (owner is not None and row.owner != owner):
        return None
    return row


def _columns(report: dict[str, Any]) -> dict[str, Any]:
    """The indexed columns, taken from the report (all optional: an old or odd report still saves)."""
    inp = report.get("input") or {}
    versions = report.get("versions") or {}
    product = report.get("product")
    return {
        "filename": _text(inp.get("filename"), 255),
        "sha256": _text(inp.get("sha256"), 64),
        "verdict": _text(report.get("verdict"), 16),
        "product": _text(_product_name(product), 255),
        "barcode": _text(product.get("barcode") if isinstance(product, dict) else None, 64),
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
