"""Error hierarchy: every failure the user can see has a stable code and a clear message."""
from __future__ import annotations


class CheckerError(Exception):
    """Base class; `code` is stable (API error code), `message` is for people."""

    code = "checker_error"
    http_status = 500

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InputError(CheckerError):
    """The upload itself is unusable (empty, not an image, too big...)."""

    code = "bad_input"
    http_status = 400


class UnsupportedMediaError(InputError):
    """The bytes are not a supported image type."""

    code = "unsupported_media_type"
    http_status = 415


class ImageTooLargeError(InputError):
    """The image or upload exceeds a configured limit."""

    code = "too_large"
    http_status = 413


class OcrError(CheckerError):
    """Tesseract is missing, timed out or failed."""

    code = "ocr_failed"
    http_status = 500


class OcrTimeoutError(OcrError):
    """Tesseract took longer than the per-image timeout."""

    code = "ocr_timeout"
    http_status = 504


class ReferenceDataError(CheckerError):
    """A reference/ data file is missing or invalid."""

    code = "reference_data_invalid"
