"""Safe reading of uploaded zip archives: members come back as bytes, nothing is ever extracted to disk."""
from __future__ import annotations

import io
import logging
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from checker.errors import CheckerError, ImageTooLargeError, InputError

log = logging.getLogger(__name__)

MIB = 1024 * 1024
DEFAULT_MAX_MEMBERS = 1000
DEFAULT_MAX_TOTAL_BYTES = 500 * MIB
DEFAULT_MAX_MEMBER_BYTES = 25 * MIB
DEFAULT_MAX_RATIO = 100
# below this size a high compression ratio is harmless (a small blank scan compresses very well)
RATIO_MIN_BYTES = 1 * MIB
READ_CHUNK = 1 * MIB
MAX_NAME_CHARS = 1024
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# first bytes of archive or compressed-stream formats that must not hide inside an upload
ARCHIVE_MAGICS = {
    b"PK\x03\x04": "zip", b"PK\x05\x06": "zip", b"PK\x07\x08": "zip",
    b"\x1f\x8b": "gzip", b"7z\xbc\xaf\x27\x1c": "7z", b"Rar!\x1a\x07": "rar", b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd", b"MSCF": "cab",
}
TAR_MAGIC_OFFSET = 257
TAR_MAGIC = b"ustar"
SNIFF_BYTES = TAR_MAGIC_OFFSET + len(TAR_MAGIC)
JUNK_NAMES = {"thumbs.db", "desktop.ini"}
JUNK_DIRS = {"__macosx"}
ENCRYPTED_FLAG = 0x1
STRONG_ENCRYPTION_FLAG = 0x40


class UnsafeNameError(InputError):
    """A member name that would escape a folder if it were ever extracted."""

    code = "unsafe_name"


class SymlinkMemberError(InputError):
    """A member that is a symbolic link (or another non-regular file)."""

    code = "symlink"


class NestedArchiveError(InputError):
    """A member that is itself an archive or a compressed stream."""

    code = "nested_archive"


class MemberTooLargeError(ImageTooLargeError):
    """A member larger than the per-file limit."""

    code = "too_large"


class ZipBombError(ImageTooLargeError):
    """A member that expands far more than any photo would (a decompression bomb)."""

    code = "zip_bomb"


class EncryptedMemberError(InputError):
    """A password-protected member."""

    code = "encrypted"


class CorruptMemberError(InputError):
    """A member whose data cannot be read (bad CRC, damaged stream, unknown compression)."""

    code = "corrupt_member"


@dataclass(frozen=True)
class ArchiveMember:
    """One file of the archive: its name inside the zip and either its bytes or why it was refused."""

    name: str
    data: bytes | None = None
    error: CheckerError | None = None


def is_zip(data: bytes) -> bool:
    """True when the bytes start like a zip archive (the name of the upload is not trusted)."""
    return data[:4] in ZIP_MAGICS


def iter_archive(data: bytes, *, max_members: int = DEFAULT_MAX_MEMBERS,
                 max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
                 max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES,
                 max_ratio: float = DEFAULT_MAX_RATIO) -> Iterator[ArchiveMember]:
    """The files of a zip, one at a time, in archive order; raises InputError at once for a bad archive.

    Directories, __MACOSX/ and hidden files are skipped. Per-member problems (unsafe name, symlink,
    nested archive, too large, bomb ratio, encrypted, damaged) come back as members with an error.
    """
    archive = _open(data)
    infos = [info for info in archive.infolist() if not _is_dir(info)]
    if len(infos) > max_members:
        raise InputError(f"The zip archive holds {len(infos)} files; at most {max_members} are accepted "
                         "in one upload. Split it into smaller archives.", code="too_many_members")
    declared = sum(info.file_size for info in infos)
    if declared > max_total_bytes:
        raise ImageTooLargeError(
            f"The zip archive would unpack to {declared / MIB:.1f} MB; at most {max_total_bytes / MIB:g} MB "
            "is accepted in one upload.", code="archive_too_large")
    return _members(archive, infos, max_member_bytes, max_ratio)


def _open(data: bytes) -> zipfile.ZipFile:
    if not data:
        raise InputError("The uploaded archive is empty.", code="empty_file")
    if not is_zip(data):
        raise InputError("The upload is not a zip archive.", code="not_a_zip")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception as e:  # zipfile raises many types on damaged directories (struct, unicode, ...)
        raise InputError(f"The zip archive is damaged and cannot be read ({_reason(e)}).",
                         code="corrupt_archive") from e


def _members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], max_member_bytes: int,
             max_ratio: float) -> Iterator[ArchiveMember]:
    with archive:
        for info in infos:
            name = _display_name(info.filename)
            unsafe = _unsafe_name_reason(info)
            if unsafe:
                error = UnsafeNameError(f"{name!r} is not a safe file name: {unsafe}.")
                yield ArchiveMember(name, error=error)
            elif not _is_junk(info.filename):
                yield _read_member(archive, info, name, max_member_bytes, max_ratio)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, max_member_bytes: int,
                 max_ratio: float) -> ArchiveMember:
    error = _header_error(info, name, max_member_bytes, max_ratio)
    if error:
        return ArchiveMember(name, error=error)
    try:
        data = _bounded_read(archive, info, name, max_member_bytes, max_ratio)
    except CheckerError as e:
        return ArchiveMember(name, error=e)
    except Exception as e:  # a damaged member must fail alone, whatever zipfile/zlib/lzma raise
        log.info("zip member %r unreadable: %s", name, e)
        return ArchiveMember(name, error=CorruptMemberError(f"{name!r} is damaged and cannot be read "
                                                            f"({_reason(e)})."))
    kind = _archive_kind(data)
    if kind:
        return ArchiveMember(name, error=NestedArchiveError(
            f"{name!r} is itself an archive ({kind}); archives inside archives are not opened."))
    return ArchiveMember(name, data=data)


def _header_error(info: zipfile.ZipInfo, name: str, max_member_bytes: int,
                  max_ratio: float) -> CheckerError | None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return SymlinkMemberError(f"{name!r} is a symbolic link, not a file.")
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        return SymlinkMemberError(f"{name!r} is a special file, not a regular file.", code="special_file")
    if info.flag_bits & (ENCRYPTED_FLAG | STRONG_ENCRYPTION_FLAG):
        return EncryptedMemberError(f"{name!r} is password-protected; send it without encryption.")
    if info.file_size > max_member_bytes:
        return _too_large(name, info.file_size, max_member_bytes)
    if _is_bomb(info.file_size, info.compress_size, max_ratio):
        return _bomb(name, info.file_size, info.compress_size)
    return None


def _bounded_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, max_member_bytes: int,
                  max_ratio: float) -> bytes:
    """Read at most max_member_bytes + 1, checking size and ratio as the data arrives."""
    chunks: list[bytes] = []
    total = 0
    with archive.open(info) as fh:
        while True:
            chunk = fh.read(min(READ_CHUNK, max_member_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_member_bytes:
                raise _too_large(name, total, max_member_bytes)
            if _is_bomb(total, info.compress_size, max_ratio):
                raise _bomb(name, total, info.compress_size)
    return b"".join(chunks)


def _is_bomb(size: int, compressed: int, max_ratio: float) -> bool:
    return size > RATIO_MIN_BYTES and size > max_ratio * max(compressed, 1)


def _too_large(name: str, size: int, limit: int) -> MemberTooLargeError:
    return MemberTooLargeError(f"{name!r} is larger than the {limit / MIB:g} MB limit per file "
                               f"({size / MIB:.1f} MB or more).")


def _bomb(name: str, size: int, compressed: int) -> ZipBombError:
    return ZipBombError(f"{name!r} expands {size / max(compressed, 1):.0f} times when unpacked; "
                        "that is a decompression bomb, not a photo.")


def _unsafe_name_reason(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\x00" in info.orig_filename:
        return "it contains a NUL character"
    if not name.strip():
        return "it is empty"
    if len(name) > MAX_NAME_CHARS:
        return f"it is longer than {MAX_NAME_CHARS} characters"
    if "\\" in name:
        return "it contains a backslash"
    if name.startswith("/"):
        return "it is an absolute path"
    if len(name) >= 2 and name[1] == ":" and name[0].isalpha():
        return "it starts with a drive letter"
    if ".." in name.split("/"):
        return "it points outside the archive (..)"
    if any(not ch.isprintable() for ch in name):
        return "it contains control characters"
    return None


def _is_dir(info: zipfile.ZipInfo) -> bool:
    return info.is_dir() or stat.S_ISDIR(info.external_attr >> 16)


def _is_junk(name: str) -> bool:
    parts = [part for part in name.split("/") if part and part != "."]
    if not parts:
        return True
    return (any(part.startswith(".") for part in parts) or parts[0].lower() in JUNK_DIRS
            or parts[-1].lower() in JUNK_NAMES)


def _archive_kind(data: bytes) -> str | None:
    head = data[:SNIFF_BYTES]
    for magic, kind in ARCHIVE_MAGICS.items():
        if head.startswith(magic):
            return kind
    if head[TAR_MAGIC_OFFSET:TAR_MAGIC_OFFSET + len(TAR_MAGIC)] == TAR_MAGIC:
        return "tar"
    return None


def _display_name(name: str) -> str:
    """The member name with control characters made visible; for messages and reports only."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in name)
    return shown[:MAX_NAME_CHARS] or "(no name)"


def _reason(error: Exception) -> str:
    text = str(error).strip()
    return text[:200] if text else type(error).__name__
