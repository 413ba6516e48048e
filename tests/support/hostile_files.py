"""Builders of hostile upload files: zip bombs, zip slips, broken encodings.

The zip builders write archives byte by byte, because ``zipfile`` refuses to
write what an attacker writes: lying sizes, bzip2 bombs, encrypted flags.
Each builder is cached, so a bomb is built once per test session.
"""

import bz2
import functools
import io
import struct
import zipfile
import zlib

GIB = 1024 * 1024 * 1024
MIB = 1024 * 1024

_LOCAL_HEADER = "<IHHHHHIIIHH"
_CENTRAL_HEADER = "<IHHHHHHIIIHHHHHII"
_END_RECORD = "<IHHHHIIH"
# 1980-01-01, the earliest date a zip entry can carry.
_DOS_DATE = 0x21
_ENCRYPTED_FLAG = 0x1


def zip_of(entries: dict[str, bytes | str], method: int = zipfile.ZIP_DEFLATED):
    """Return a zip made by ``zipfile``, for archives without tricks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def raw_zip(entries: list[dict]) -> bytes:
    """Assemble a zip from entries given as packed bytes and declared fields.

    Each entry has ``name``, ``method``, ``data`` (the packed bytes), ``crc``
    and ``size`` (the declared unpacked size), and optionally ``flags``.
    """
    body = bytearray()
    directory = bytearray()
    for entry in entries:
        name = entry["name"].encode()
        flags = entry.get("flags", 0)
        offset = len(body)
        fields = (entry["method"], 0, _DOS_DATE, entry["crc"], len(entry["data"]))
        body += struct.pack(
            _LOCAL_HEADER, 0x04034B50, 20, flags, *fields, entry["size"], len(name), 0
        )
        body += name + entry["data"]
        directory += struct.pack(
            _CENTRAL_HEADER,
            0x02014B50,
            20,
            20,
            flags,
            *fields,
            entry["size"],
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += name
    end = struct.pack(
        _END_RECORD,
        0x06054B50,
        0,
        0,
        len(entries),
        len(entries),
        len(directory),
        len(body),
        0,
    )
    return bytes(body + directory + end)


@functools.cache
def _zero_blocks(size: int) -> tuple[bytes, int]:
    """Return a raw deflate stream of ``size`` zero bytes and its CRC-32.

    One MiB of zeros is packed once with a full flush, which makes the block
    independent of what came before, so the block repeats to any size.
    """
    chunk = bytes(MIB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    count = size // MIB
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    return block * count + packer.flush(), crc


def deflate_bomb(name: str, size: int = GIB, extra: dict | None = None) -> bytes:
    """Return a zip of about size/1000 bytes whose entry unpacks to ``size`` zeros.

    ``extra`` adds small ordinary entries, such as the users.json of a Slack
    export, so that the bomb is not rejected for a missing file first.
    """
    data, crc = _zero_blocks(size)
    entries = [_stored(path, content) for path, content in (extra or {}).items()]
    entries.append(
        {
            "name": name,
            "method": zipfile.ZIP_DEFLATED,
            "data": data,
            "crc": crc,
            "size": size,
        }
    )
    return raw_zip(entries)


def lying_size_zip(name: str, size: int, extra: dict | None = None) -> bytes:
    """Return a zip whose entry declares 10 bytes but deflates to ``size`` zeros."""
    data, crc = _zero_blocks(size)
    entries = [_stored(path, content) for path, content in (extra or {}).items()]
    entries.append(
        {
            "name": name,
            "method": zipfile.ZIP_DEFLATED,
            "data": data,
            "crc": crc,
            "size": 10,
        }
    )
    return raw_zip(entries)


@functools.cache
def bzip2_bomb(name: str, size: int = 8 * MIB, extra_items: tuple = ()) -> bytes:
    """Return a zip whose bzip2 entry declares 10 bytes and unpacks to ``size``.

    ``zipfile`` unpacks a bzip2 chunk in one call, whatever size is declared.
    """
    content = bytes(size)
    entries = [_stored(path, data) for path, data in extra_items]
    entries.append(
        {
            "name": name,
            "method": zipfile.ZIP_BZIP2,
            "data": bz2.compress(content),
            "crc": zlib.crc32(content),
            "size": 10,
        }
    )
    return raw_zip(entries)


def encrypted_zip(name: str, content: bytes, extra: dict | None = None) -> bytes:
    """Return a zip whose entry carries the encrypted flag, as with a password."""
    entries = [_stored(path, data) for path, data in (extra or {}).items()]
    entry = _stored(name, content)
    entry["flags"] = _ENCRYPTED_FLAG
    entries.append(entry)
    return raw_zip(entries)


def _stored(name: str, content: bytes | str) -> dict:
    data = content.encode() if isinstance(content, str) else content
    return {
        "name": name,
        "method": zipfile.ZIP_STORED,
        "data": data,
        "crc": zlib.crc32(data),
        "size": len(data),
    }


def deep_json(levels: int = 100_000) -> bytes:
    return b"[" * levels + b"]" * levels


def deep_object(levels: int = 100_000) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


def empty_objects(size: int) -> bytes:
    """Return a JSON array of empty objects of about ``size`` bytes.

    Each "{}" takes about 25 times its size once parsed.
    """
    return b"[" + b"{}," * (size // 3) + b"{}]"
