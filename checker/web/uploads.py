"""Reading the uploaded label photo from a multipart request (shared by pages and API)."""
from __future__ import annotations

from flask import Request
from werkzeug.datastructures import FileStorage

from checker.errors import InputError

FIELD = "file"
MAX_FILENAME = 255
DEFAULT_FILENAME = "upload"


def read_upload(request: Request) -> tuple[bytes, str]:
    """The bytes and a safe display name of the first non-empty `file` field; InputError if none."""
    uploads = [f for f in request.files.getlist(FIELD) if f.filename or f.content_length]
    if not uploads:
        raise InputError(f"No file was sent: upload the label photo in the form field '{FIELD}'.",
                         code="no_file")
    for upload in uploads:
        data = upload.read()
        if data:
            return data, display_name(upload)
    raise InputError("The uploaded file is empty: choose a photo of the label.", code="empty_file")


def display_name(upload: FileStorage) -> str:
    """The file's own name without any directory part; kept for display, never used as a path."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:MAX_FILENAME] or DEFAULT_FILENAME
