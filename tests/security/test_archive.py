"""Hostile zip uploads, all built in memory: refused whole, or failed member by member, never extracted."""
from __future__ import annotations

import builtins
import gzip
import io
import os
import random
import stat
import struct
import tarfile
import zipfile

import pytest

from checker.archive import (
    DEFAULT_MAX_MEMBERS,
    RATIO_MIN_BYTES,
    ArchiveMember,
    is_zip,
    iter_archive,
)
from checker.errors import CheckerError, InputError

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
JPEG = b"\xff\xd8\xff\xe0" + random.Random(1).randbytes(3000)
CENTRAL_SIG = b"PK\x01\x02"
LOCAL_SIG = b"PK\x03\x04"


def make_zip(members: list[tuple[str | zipfile.ZipInfo, bytes]], *,
             compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def unix_info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def members_of(data: bytes, **limits: int) -> list[ArchiveMember]:
    return list(iter_archive(data, **limits))


def error_codes(data: bytes, **limits: int) -> dict[str, str | None]:
    return {m.name: (m.error.code if m.error else None) for m in members_of(data, **limits)}


def patch_central(data: bytes, index: int, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite a field of the index-th central directory header (offset from its signature)."""
    pos = -1
    for _ in range(index + 1):
        pos = data.index(CENTRAL_SIG, pos + 1)
    out = bytearray(data)
    struct.pack_into(fmt, out, pos + offset, value)
    return bytes(out)


def set_encrypted_flag(data: bytes) -> bytes:
    """Mark the first member as encrypted in both its local and central headers."""
    out = bytearray(data)
    for sig, offset in ((LOCAL_SIG, 6), (CENTRAL_SIG, 8)):
        pos = data.index(sig)
        (flags,) = struct.unpack_from("<H", out, pos + offset)
        struct.pack_into("<H", out, pos + offset, flags | 0x1)
    return bytes(out)


def tar_bytes() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("inner.jpg")
        info.size = len(JPEG)
        tf.addfile(info, io.BytesIO(JPEG))
    return buf.getvalue()


def test_good_members_come_back_in_order_with_their_bytes():
    data = make_zip([("a.png", PNG), ("photos/b.jpg", JPEG), ("c.jpg", JPEG)])
    got = members_of(data)
    assert [(m.name, m.data, m.error) for m in got] == [
        ("a.png", PNG, None), ("photos/b.jpg", JPEG, None), ("c.jpg", JPEG, None)]


def test_stored_and_other_compressions_read_the_same():
    for compression in (zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        got = members_of(make_zip([("a.png", PNG)], compression=compression))
        assert [(m.name, m.data) for m in got] == [("a.png", PNG)]


@pytest.mark.parametrize("name", [
    "../evil.jpg",
    "photos/../../evil.jpg",
    "..",
    "/etc/passwd",
    "/abs/photo.jpg",
    "C:/Windows/photo.jpg",
    "c:photo.jpg",
    "C:\\photo.jpg",
    "dir\\..\\photo.jpg",
    "photo\x07.jpg",
])
def test_unsafe_names_fail_only_their_member(name: str):
    data = make_zip([("ok.png", PNG), (name, JPEG)])
    got = members_of(data)
    assert got[0] == ArchiveMember("ok.png", PNG, None)
    assert len(got) == 2 and got[1].data is None
    assert got[1].error.code == "unsafe_name"
    assert isinstance(got[1].error, InputError) and "safe file name" in got[1].error.message


def test_name_with_nul_byte_is_unsafe():
    data = make_zip([("photo.jpg", JPEG)])
    pos = data.index(CENTRAL_SIG)
    # replace "photo.jpg" in the central directory by "pho\0o.jpg" (same length)
    name_at = data.index(b"photo.jpg", pos)
    patched = data[:name_at] + b"pho\x00o.jpg" + data[name_at + 9:]
    codes = [m.error.code if m.error else None for m in members_of(patched)]
    assert codes == ["unsafe_name"]


@pytest.mark.parametrize(("mode", "code"), [
    (stat.S_IFLNK | 0o777, "symlink"),
    (stat.S_IFIFO | 0o644, "special_file"),
    (stat.S_IFCHR | 0o644, "special_file"),
])
def test_symlinks_and_special_files_are_refused(mode: int, code: str):
    data = make_zip([(unix_info("link.jpg", mode), b"/etc/passwd"), ("ok.png", PNG)])
    assert error_codes(data) == {"link.jpg": code, "ok.png": None}


def test_regular_unix_file_with_permissions_is_accepted():
    data = make_zip([(unix_info("photo.png", stat.S_IFREG | 0o644), PNG)])
    assert members_of(data) == [ArchiveMember("photo.png", PNG, None)]


@pytest.mark.parametrize(("payload", "kind"), [
    (make_zip([("inner.png", PNG)]), "zip"),
    (make_zip([]), "zip"),
    (gzip.compress(JPEG), "gzip"),
    (tar_bytes(), "tar"),
    (b"7z\xbc\xaf\x27\x1c" + bytes(100), "7z"),
    (b"Rar!\x1a\x07\x00" + bytes(100), "rar"),
    (b"BZh91AY&SY" + bytes(100), "bzip2"),
    (b"\xfd7zXZ\x00" + bytes(100), "xz"),
])
def test_nested_archives_are_found_by_their_bytes_not_their_name(payload: bytes, kind: str):
    data = make_zip([("innocent.jpg", payload), ("ok.png", PNG)])
    got = members_of(data)
    assert got[0].error.code == "nested_archive" and kind in got[0].error.message
    assert got[0].data is None
    assert got[1] == ArchiveMember("ok.png", PNG, None)


def test_directories_macos_metadata_and_hidden_files_are_skipped_silently():
    data = make_zip([
        ("photos/", b""), (unix_info("other", stat.S_IFDIR | 0o755), b""),
        ("__MACOSX/._a.png", b"\x00\x05\x16\x07"), ("__MACOSX/photos/._b.jpg", b"x"),
        (".DS_Store", b"\x00\x00\x00\x01Bud1"), ("photos/.hidden.jpg", JPEG), ("Thumbs.db", b"x"),
        ("./photos/a.png", PNG), ("photos/b.jpg", JPEG),
    ])
    assert [(m.name, m.data) for m in members_of(data)] == [
        ("./photos/a.png", PNG), ("photos/b.jpg", JPEG)]


def test_a_non_image_member_is_returned_for_the_caller_to_fail():
    text = b"this is not a photo of a label"
    data = make_zip([("notes.txt", text), ("renamed.jpg", text)])
    assert [(m.name, m.data, m.error) for m in members_of(data)] == [
        ("notes.txt", text, None), ("renamed.jpg", text, None)]


def test_empty_member_is_returned_empty():
    assert members_of(make_zip([("empty.jpg", b"")])) == [ArchiveMember("empty.jpg", b"", None)]


def test_zip_bomb_of_zeros_is_refused_without_being_unpacked():
    bomb = bytes(20 * 1024 * 1024)  # compresses about 1000 times
    data = make_zip([("bomb.png", bomb), ("ok.png", PNG)])
    assert len(data) < 100_000
    got = members_of(data)
    assert got[0].error.code == "zip_bomb" and got[0].data is None
    assert got[0].error.http_status == 413
    assert got[1] == ArchiveMember("ok.png", PNG, None)


@pytest.mark.parametrize(("ratio", "code"), [(10_000, None), (100, "zip_bomb")])
def test_bomb_ratio_is_the_configured_limit(ratio: int, code: str | None):
    data = make_zip([("zeros.bmp", bytes(2 * 1024 * 1024))])
    assert error_codes(data, max_ratio=ratio) == {"zeros.bmp": code}


def test_small_highly_compressible_member_is_not_a_bomb():
    blank = bytes(RATIO_MIN_BYTES // 2)  # a small blank scan: harmless even at a huge ratio
    assert members_of(make_zip([("blank.bmp", blank)])) == [ArchiveMember("blank.bmp", blank, None)]


def test_bomb_hidden_by_a_lying_size_header_never_unpacks_beyond_it():
    # the central directory claims 1000 bytes; the stream really holds 30 MiB of zeros
    data = patch_central(make_zip([("liar.png", bytes(30 * 1024 * 1024))]), 0, 24, "<I", 1000)
    (member,) = members_of(data)
    assert member.data is None and member.error.code == "corrupt_member"


def test_member_over_the_size_limit_is_refused_from_its_header():
    big = random.Random(2).randbytes(5000)
    data = make_zip([("big.jpg", big), ("ok.png", PNG)])
    got = members_of(data, max_member_bytes=4000)
    assert got[0].error.code == "too_large" and got[0].error.http_status == 413
    assert got[1].data == PNG


def test_more_members_than_allowed_refuses_the_whole_archive():
    data = make_zip([(f"p{i:04}.png", b"x") for i in range(DEFAULT_MAX_MEMBERS + 1)],
                    compression=zipfile.ZIP_STORED)
    with pytest.raises(InputError) as caught:
        iter_archive(data)
    assert caught.value.code == "too_many_members" and "1001" in caught.value.message


def test_exactly_the_allowed_number_of_members_is_accepted():
    data = make_zip([(f"p{i}.png", b"x") for i in range(10)] + [("dir/", b"")])
    assert len(members_of(data, max_members=10)) == 10


def test_declared_total_over_the_limit_refuses_the_whole_archive():
    data = make_zip([(f"p{i}.png", PNG) for i in range(3)])
    with pytest.raises(InputError) as caught:
        iter_archive(data, max_total_bytes=2 * len(PNG))
    assert caught.value.code == "archive_too_large" and caught.value.http_status == 413


def test_encrypted_member_is_refused_with_a_clear_reason():
    data = set_encrypted_flag(make_zip([("secret.jpg", JPEG), ("ok.png", PNG)]))
    got = members_of(data)
    assert got[0].error.code == "encrypted" and "password" in got[0].error.message
    assert got[1] == ArchiveMember("ok.png", PNG, None)


def test_damaged_member_data_fails_only_that_member():
    data = bytearray(make_zip([("bad.jpg", JPEG), ("ok.png", PNG)], compression=zipfile.ZIP_STORED))
    data[data.index(JPEG[100:120])] ^= 0xFF  # flip a byte: the CRC no longer matches
    got = members_of(bytes(data))
    assert got[0].error.code == "corrupt_member" and got[0].data is None
    assert got[1] == ArchiveMember("ok.png", PNG, None)


def test_unknown_compression_method_fails_only_that_member():
    data = patch_central(make_zip([("odd.jpg", JPEG), ("ok.png", PNG)]), 0, 10, "<H", 9)  # deflate64
    got = members_of(data)
    assert got[0].error.code == "corrupt_member"
    assert got[1] == ArchiveMember("ok.png", PNG, None)


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty_file"),
    (b"hello, this is text", "not_a_zip"),
    (PNG, "not_a_zip"),
    (JPEG + make_zip([("a.png", PNG)]), "not_a_zip"),  # a zip hidden behind a JPEG is not an archive
    (make_zip([("a.png", PNG)])[:-10], "corrupt_archive"),  # truncated end record
    (make_zip([("a.png", PNG)]).replace(CENTRAL_SIG, b"PK\x09\x09"), "corrupt_archive"),
])
def test_unreadable_archives_are_refused_at_once(data: bytes, code: str):
    with pytest.raises(InputError) as caught:
        iter_archive(data)  # raises before the first member is asked for
    assert caught.value.code == code and caught.value.message


@pytest.mark.parametrize(("size", "code"), [(10**6, "corrupt_archive"), (3, "corrupt_archive")])
def test_corrupt_central_directory_size_is_refused(size: int, code: str):
    data = make_zip([("a.png", PNG), ("b.png", PNG)])
    out = bytearray(data)
    struct.pack_into("<I", out, data.rindex(b"PK\x05\x06") + 12, size)  # central directory size
    with pytest.raises(InputError) as caught:
        iter_archive(bytes(out))
    assert caught.value.code == code


def test_central_directory_pointing_at_the_wrong_place_fails_each_member():
    data = make_zip([("a.png", PNG), ("b.png", PNG)])
    out = bytearray(data)
    struct.pack_into("<I", out, data.rindex(b"PK\x05\x06") + 16, 10**6)  # offset of the directory
    assert error_codes(bytes(out)) == {"a.png": "corrupt_member", "b.png": "corrupt_member"}


def test_empty_zip_yields_nothing():
    assert members_of(make_zip([])) == []


def test_is_zip_looks_at_the_bytes():
    assert is_zip(make_zip([("a.png", PNG)])) and is_zip(make_zip([]))
    assert not is_zip(PNG) and not is_zip(b"") and not is_zip(b"PK")


def test_nothing_is_written_to_disk(monkeypatch: pytest.MonkeyPatch):
    data = make_zip([("a.png", PNG), ("../evil.jpg", JPEG), ("bomb.png", bytes(5 * 1024 * 1024))])

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"archive reading touched the file system: {args!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    codes = [m.error.code if m.error else None for m in iter_archive(data)]
    assert codes == [None, "unsafe_name", "zip_bomb"]


def test_random_damage_never_raises_anything_but_input_error():
    rng = random.Random(6)
    base = make_zip([("a.png", PNG), ("b/c.jpg", JPEG), ("d.txt", b"text" * 50)])
    for _ in range(400):
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.2:
            del data[rng.randrange(len(data)):]
        try:
            members = list(iter_archive(bytes(data)))
        except InputError as e:
            assert e.code and e.message
            continue
        for m in members:
            assert (m.data is None) != (m.error is None)
            assert m.error is None or (isinstance(m.error, CheckerError) and m.error.code)
