"""Command line: `python -m checker check|batch|keys|worker ...` (run with --help for each)."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from checker import __version__
from checker import report as reporting
from checker.config import Settings
from checker.errors import CheckerError, InputError
from checker.pipeline import check_image, check_text
from checker.reference import ReferenceData, default_reference

FORMATS = ("jsonl", "text")
MAX_TEXT_BYTES = 1_000_000  # a label text file is a few kB; anything this big is not one


class _Parser(argparse.ArgumentParser):
    """argparse that ends with the usage line and a hint instead of a bare error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\nRun '{self.prog} --help' for help.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m checker",
                     description="Check photographed labels of butyrate and postbiotic food supplements.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    check = commands.add_parser("check", help="check label images (or label text files with --text)",
                                description="Check each FILE and print one report per file, in order.")
    check.add_argument("files", nargs="+", metavar="FILE", help="label photo (JPEG, PNG, WebP, TIFF, BMP)")
    check.add_argument("--format", choices=FORMATS, default="jsonl",
                       help="jsonl: one JSON report per line (default); text: a readable summary")
    check.add_argument("--text", action="store_true",
                       help="the FILEs are label text (UTF-8); no OCR is run")
    batch = commands.add_parser(
        "batch", help="check a folder or zip of label photos into one CSV (or JSON Lines) file",
        description="Check every photo of a folder (recursively) or a zip, with a progress bar. Stopped or "
                    "interrupted? Run the same command again: it continues where it was and never checks a "
                    "finished file twice (the batch is kept in the local database; OUT.batch remembers it).")
    batch.add_argument("source", metavar="DIR_OR_ZIP")
    batch.add_argument("--out", required=True, type=Path, metavar="OUT",
                       help="results file: .csv (one row per label) or .jsonl (one report per line)")
    batch.add_argument("--workers", type=int, default=2, help="photos checked at once (default 2)")
    batch.add_argument("--restart", action="store_true", help="start a new batch instead of continuing")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    keys = commands.add_parser("keys", help="manage API keys",
                               description="Create, list and revoke API keys.")
    key_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION", parser_class=_Parser)
    key_commands.required = True
    create = key_commands.add_parser("create", help="create a key and print it (shown only once)")
    create.add_argument("name", help="who or what uses the key, e.g. 'lab-robot'")
    key_commands.add_parser("list", help="list keys (never the keys themselves)")
    revoke = key_commands.add_parser("revoke", help="revoke a key: it stops working at once")
    revoke.add_argument("key_id", metavar="ID")
    worker = commands.add_parser("worker", help="run batch workers on the configured database",
                                 description="Check queued batch items until stopped (Ctrl+C or SIGTERM); "
                                             "for a machine that only works through batches.")
    worker.add_argument("--workers", type=int, default=2, help="items checked at once (default 2)")
    return parser


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (1 when any file failed)."""
    args = build_parser().parse_args(argv)
    out = stdout or _utf8_stdout()
    if args.command != "check":
        from checker import cli_batch

        return cli_batch.run(args, out)
    setup_error: CheckerError | None = None
    try:
        settings = Settings.from_env()
        ref = default_reference()
    except CheckerError as e:
        # still one line per file, so a caller reading the lines in order stays in step
        print(f"python -m checker: {e.message}", file=sys.stderr)
        setup_error = e
    failed = False
    for name in args.files:
        if setup_error is not None:
            report = reporting.error_report(Path(name).name, setup_error)
        else:
            report = _check_file(name, text_mode=args.text, settings=settings, ref=ref)
        failed |= report.get("error") is not None
        out.write(_format(report, args.format))
        out.flush()
    return 1 if failed else 0


def _check_file(name: str, *, text_mode: bool, settings: Settings, ref: ReferenceData) -> dict[str, Any]:
    filename = Path(name).name
    try:
        data = _read(name)
        if text_mode:
            return check_text(_decode(data, name), filename, settings=settings, ref=ref)
        return check_image(data, filename, settings=settings, ref=ref)
    except CheckerError as e:
        return reporting.error_report(filename, e)
    except Exception as e:  # noqa: BLE001 - a bug on one file must not stop the others
        print(f"python -m checker: internal error on {name}: {type(e).__name__}: {e}", file=sys.stderr)
        return reporting.error_report(filename, CheckerError(f"internal error: {type(e).__name__}",
                                                             code="internal_error"))


def _read(name: str) -> bytes:
    path = Path(name)
    try:
        if path.is_dir():
            raise InputError(f"{name} is a directory, not a file", code="not_a_file")
        return path.read_bytes()
    except FileNotFoundError as e:
        raise InputError(f"file not found: {name}", code="file_not_found") from e
    except PermissionError as e:
        raise InputError(f"no permission to read {name}", code="unreadable") from e
    except OSError as e:
        raise InputError(f"cannot read {name}: {e.strerror or e}", code="unreadable") from e


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_TEXT_BYTES or b"\x00" in data:
        raise InputError(f"{name} is not a label text file", code="not_text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # old Windows exports


def _format(report: dict[str, Any], fmt: str) -> str:
    if fmt == "jsonl":
        return json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n"
    return reporting.to_text(report).rstrip("\n") + "\n\n"


def _utf8_stdout() -> TextIO:
    # reports hold label text in four languages; never let a C locale turn that into an exception
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8", errors="replace")
    return sys.stdout
