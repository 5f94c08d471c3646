"""Batches: turning uploads (files, zips, a folder) into batch items, and results into CSV / JSON Lines."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from checker import imaging
from checker import report as reporting
from checker.archive import is_zip, iter_archive
from checker.config import Settings
from checker.errors import CheckerError, ImageTooLargeError, InputError
from checker.reference import ReferenceData

Item = tuple[str, bytes | None, CheckerError | None]
MAX_NAME = 255
CSV_COLUMNS = ("file", "status", "verdict", "product", "barcode", "actives", "additives", "allergens",
               "findings", "error", "check_id")
LIST_SEPARATOR = "; "
TOO_MANY_MEMBERS = "too_many_members"  # checker.archive's code for a zip over max_members
# a cell starting like a formula runs as one in spreadsheet programs: prefix it with an apostrophe
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TooManyFilesError(ImageTooLargeError):
    """More files in one batch than allowed."""

    code = "too_many_files"


def display_name(name: str) -> str:
    """A printable name for showing (never used as a path)."""
    name = "".join(ch for ch in (name or "").replace("\\", "/") if ch.isprintable()).strip()
    return name[-MAX_NAME:] or "upload"


def expand(uploads: Iterable[tuple[str, bytes]], settings: Settings) -> list[Item]:
    """Each upload is one item, a zip is one item per member; problems become items with an error.

    Raises TooManyFilesError when the batch would hold more than settings.max_batch_files items, and
    ImageTooLargeError for a zip that would unpack to more than settings.max_batch_mb.
    """
    items: list[Item] = []
    for name, data in uploads:
        if is_zip(data):
            items.extend(_zip_items(name, data, settings))
        else:
            items.append(_item(name, data, settings))
        if len(items) > settings.max_batch_files:
            raise TooManyFilesError(f"A batch holds at most {settings.max_batch_files} files; split it up.")
    return items


def _zip_items(name: str, data: bytes, settings: Settings) -> list[Item]:
    try:
        members = iter_archive(data, max_members=settings.max_batch_files,
                               max_total_bytes=settings.max_batch_bytes,
                               max_member_bytes=settings.max_upload_bytes)
    except CheckerError as e:
        if e.code == TOO_MANY_MEMBERS:
            raise TooManyFilesError(e.message) from e
        if e.http_status == 413:  # over the batch's byte limit: the request is refused, like a big body
            raise
        return [(display_name(name), None, e)]  # a damaged zip: one failed item, named after it
    return [(display_name(m.name), None, m.error) if m.error is not None
            else _item(m.name, m.data or b"", settings) for m in members]


def _item(name: str, data: bytes, settings: Settings) -> Item:
    name = display_name(name)
    if not data:
        return name, None, InputError("The file is empty.", code="empty_file")
    if len(data) > settings.max_upload_bytes:
        return name, None, ImageTooLargeError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; at most {settings.max_upload_mb:g} MB per file.")
    return name, data, None


def media_type_of(data: bytes) -> str | None:
    """The image type named by the first bytes, for storing them (None: unknown)."""
    fmt = imaging.sniff(data)
    return imaging.load.MEDIA_TYPES.get(fmt) if fmt else None


def read_source(path: Path) -> list[tuple[str, bytes]]:
    """A folder (its files, recursively, sorted; hidden ones skipped) or one file (a zip or an image)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path)))
        return [(str(p.relative_to(path)), p.read_bytes()) for p in files]
    return [(path.name, path.read_bytes())]


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


# ---------------------------------------------------------------- results
def item_report(item: dict[str, Any], report: dict[str, Any] | None,
                ref: ReferenceData | None) -> dict[str, Any]:
    """The report of a finished item; a failed one gets an error report with its code and message."""
    if report is not None:
        return report
    error = item.get("error") or {"code": "not_checked", "message": "This file has no stored report."}
    return reporting.error_report(item["file"], CheckerError(error["message"] or "", code=error["code"]),
                                  ref=ref)


def jsonl_lines(rows: Iterable[tuple[dict[str, Any], dict[str, Any] | None]],
                ref: ReferenceData | None) -> Iterator[str]:
    for item, report in rows:
        yield json.dumps(item_report(item, report, ref), ensure_ascii=False, separators=(",", ":")) + "\n"


def csv_lines(rows: Iterable[tuple[dict[str, Any], dict[str, Any] | None]]) -> Iterator[str]:
    """The CSV text, a header line first, then one line per file in order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield _take(buffer)
    for item, report in rows:
        writer.writerow([_cell(v) for v in csv_row(item, report)])
        yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_row(item: dict[str, Any], report: dict[str, Any] | None) -> list[str]:
    """file, status, verdict, product, barcode, actives, additives, allergens, findings, error, check_id."""
    report = report or {}
    product = report.get("product")
    product = product if isinstance(product, dict) else {"name": product}
    error = item.get("error") or report.get("error")
    return [
        item["file"], item["status"], report.get("verdict") or "", product.get("name") or "",
        product.get("barcode") or "",
        LIST_SEPARATOR.join(active_cell(a) for a in report.get("actives") or []),
        LIST_SEPARATOR.join(additive_cell(i) for i in report.get("ingredients") or []
                            if i.get("kind") == "additive"),
        LIST_SEPARATOR.join(report.get("allergens") or []),
        LIST_SEPARATOR.join(f.get("rule", "") for f in report.get("findings") or []),
        f"{error['code']}: {error.get('message') or ''}" if error else "",
        item.get("check_id") or "",
    ]


def active_cell(active: dict[str, Any]) -> str:
    """id:mg per day:butyric acid mg per day, e.g. sodium-butyrate:1200:960.4 ("?" when unknown)."""
    lo, hi = active.get("per_day_mg_min"), active.get("per_day_mg_max")
    per_day = _number(hi) if lo in (None, hi) else f"{_number(lo)}-{_number(hi)}"
    return f"{active.get('id')}:{per_day}:{_number(active.get('butyric_acid_mg_per_day_max'))}"


def additive_cell(ingredient: dict[str, Any]) -> str:
    return str(ingredient.get("e_number") or ingredient.get("id") or ingredient.get("name")
               or ingredient.get("text"))


def _number(value: Any) -> str:
    if value is None:
        return "?"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _cell(value: str) -> str:
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
