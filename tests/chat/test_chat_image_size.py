"""Image sizes read from file headers, for the chat's previews."""

import struct

import pytest

from chalicelib.chat.image_size import image_size
from tests.support.chat_files import png_bytes


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00" * 20


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
    frame = b"\xff\xc2" + struct.pack(">HBHH", 11, 8, height, width) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + b"\xff\xff" + frame + b"\xff\xd9"


def webp_lossless(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    body = b"WEBP" + b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_extended(width: int, height: int) -> bytes:
    sides = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    body = b"WEBP" + b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4 + sides
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize(
    ("header", "content_type"),
    [
        (png_bytes(640, 480), "image/png"),
        (gif(640, 480), "image/gif"),
        (jpeg(640, 480), "image/jpeg"),
        (webp_lossless(640, 480), "image/webp"),
        (webp_extended(640, 480), "image/webp"),
    ],
)
def test_size_read(header, content_type):
    assert image_size(header, content_type) == (640, 480)


@pytest.mark.parametrize(
    ("header", "content_type"),
    [
        (b"", "image/png"),
        (b"not an image at all", "image/jpeg"),
        (png_bytes(4, 4)[:20], "image/png"),
        (jpeg(4, 4)[:12], "image/jpeg"),
        (gif(0, 10), "image/gif"),
        (png_bytes(4, 4), "image/gif"),
        (png_bytes(4, 4), "application/pdf"),
    ],
)
def test_unreadable_header_gives_none(header, content_type):
    assert image_size(header, content_type) is None
