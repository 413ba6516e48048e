"""The shared checks of uploaded files, without the HTTP routes around them."""

import io
import json
import os
import zipfile

import pytest

from chalicelib.imports.guards import (
    MAX_COMPRESSION_RATIO,
    UnsafeFile,
    check_archive,
    check_container_count,
    is_unsafe_entry_name,
    load_json,
    nesting_exceeds,
    read_entry,
    utf16_hint,
)
from tests.support.hostile_files import (
    MIB,
    bzip2_bomb,
    deep_json,
    deflate_bomb,
    encrypted_zip,
    lying_size_zip,
    zip_of,
)


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("users.json", False),
        ("general/2024-03-01.json", False),
        ("docs/..hidden.md", False),
        ("../evil", True),
        ("a/../../evil", True),
        ("/etc/passwd", True),
        ("\\evil", True),
        ("..\\evil", True),
        ("C:/evil", True),
        ("c:evil", True),
        ("a\x00.json", True),
    ],
)
def test_entry_names(name, unsafe):
    assert is_unsafe_entry_name(name) is unsafe


@pytest.mark.parametrize(
    ("text", "limit", "exceeds"),
    [
        ("1", 0, False),
        ("[]", 1, False),
        ("[]", 0, True),
        ("[[]]", 1, True),
        ('{"a": [{"b": [1]}]}', 4, False),
        ('{"a": [{"b": [1]}]}', 3, True),
        ("[" * 64 + "]" * 64, 64, False),
        ("[" * 65 + "]" * 65, 64, True),
        ("[[], [[[]]], []]", 3, True),
    ],
)
def test_nesting_depth(text, limit, exceeds):
    assert nesting_exceeds(json.loads(text), limit) is exceeds


def test_deep_json_rejected_without_recursion():
    with pytest.raises(UnsafeFile, match="deeper than 64"):
        load_json(deep_json(100_000), max_depth=64)


def test_containers_counted_before_parsing():
    with pytest.raises(UnsafeFile, match="brackets"):
        check_container_count(b"[" + b"{}," * 100 + b"{}]", limit=100)
    check_container_count("[" + "{}," * 98 + "{}]", limit=100)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "not valid JSON (line 1"),
        ("[1] x", "not valid JSON"),
        ("1" * 5000, "not valid JSON"),
    ],
)
def test_invalid_json(text, problem):
    with pytest.raises(UnsafeFile, match=problem.replace("(", r"\(")):
        load_json(text, max_depth=64)


def _open(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_archive_entry_count():
    archive = _open(zip_of({f"{number}.md": "" for number in range(11)}))
    assert len(check_archive(archive, 11)) == 11
    with pytest.raises(UnsafeFile, match="11 entries; the limit is 10"):
        check_archive(archive, 10)


def test_archive_slip_names_the_entry():
    archive = _open(zip_of({"ok.md": "x", "../evil.md": "x"}))
    with pytest.raises(UnsafeFile) as raised:
        check_archive(archive, 10)
    assert raised.value.field == "../evil.md"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (deflate_bomb("a.json", 64 * MIB), "limit is 16777216"),
        (deflate_bomb("a.json", 3 * MIB), f"more than {MAX_COMPRESSION_RATIO} times"),
        (lying_size_zip("a.json", 4 * MIB), "damaged or encrypted"),
        (bzip2_bomb("a.json", 2 * MIB), "compression method 12"),
        (encrypted_zip("a.json", b"[]"), "damaged or encrypted"),
    ],
)
def test_entry_reads_refused(data, problem):
    archive = _open(data)
    entry = archive.getinfo("a.json")
    with pytest.raises(UnsafeFile, match=problem) as raised:
        read_entry(archive, entry, 16 * MIB)
    assert raised.value.field == "a.json"


def test_entry_read_in_full():
    content = os.urandom(2 * MIB)
    archive = _open(zip_of({"a.bin": content}))
    assert read_entry(archive, archive.getinfo("a.bin"), 2 * MIB) == content


@pytest.mark.parametrize(
    ("raw", "looks_utf16"),
    [
        ("Название;Статус\n".encode("utf-16"), True),
        ("Title,Status\nA,Done\n".encode("utf-16-le"), True),
        ("# Приёмка\n\nПроверьте короба.\n".encode("utf-16-be"), True),
        ("Название;Статус\n".encode(), False),
        ("Название;Статус\n".encode("cp1251"), False),
        (bytes(range(256)) * 4, False),
        (b"", False),
    ],
)
def test_utf16_detected(raw, looks_utf16):
    assert bool(utf16_hint(raw)) is looks_utf16
