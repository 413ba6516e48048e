"""Read an image's width and height from the first bytes of its file.

The chat shows a preview box of the right shape before the image loads, so
the server measures images when they are sent. Only the header is read, so a
25 MB photo costs one ranged GET of ``HEADER_BYTES``. A JPEG whose frame
header lies past that (a large embedded EXIF thumbnail) gets no size.
"""

import struct

HEADER_BYTES = 64 * 1024
# Larger declared sides are treated as corrupt rather than shown.
MAX_SIDE = 100_000

# JPEG markers that start a frame and carry its size (SOF0-SOF15 without the
# DHT, JPG and DAC markers that share the range).
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def image_size(header: bytes, content_type: str) -> tuple[int, int] | None:
    """Return (width, height) in pixels, or None if the header does not give them."""
    readers = {
        "image/png": _png_size,
        "image/gif": _gif_size,
        "image/webp": _webp_size,
        "image/jpeg": _jpeg_size,
    }
    reader = readers.get(content_type)
    if reader is None:
        return None
    try:
        size = reader(header)
    except (struct.error, IndexError):
        return None
    if size is None:
        return None
    width, height = size
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        return None
    return size


def _png_size(header: bytes) -> tuple[int, int] | None:
    if header[:8] != b"\x89PNG\r\n\x1a\n" or header[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", header[16:24])


def _gif_size(header: bytes) -> tuple[int, int] | None:
    if header[:6] not in (b"GIF87a", b"GIF89a"):
        return None
    return struct.unpack("<HH", header[6:10])


def _webp_size(header: bytes) -> tuple[int, int] | None:
    if header[:4] != b"RIFF" or header[8:12] != b"WEBP":
        return None
    chunk = header[12:16]
    if chunk == b"VP8 ":
        # Lossy: 14-bit sides after the frame tag and the start code.
        width, height = struct.unpack("<HH", header[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        # Lossless: 14-bit sides minus one, packed after the signature byte.
        bits = struct.unpack("<I", header[21:25])[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        # Extended: 24-bit sides minus one.
        width = int.from_bytes(header[24:27], "little") + 1
        height = int.from_bytes(header[27:30], "little") + 1
        return width, height
    return None


def _jpeg_size(header: bytes) -> tuple[int, int] | None:
    if header[:2] != b"\xff\xd8":
        return None
    position = 2
    while position + 4 <= len(header):
        if header[position] != 0xFF:
            return None
        marker = header[position + 1]
        if marker == 0xFF:
            # Fill bytes may pad before a marker.
            position += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):
            # Markers without a length field.
            position += 2
            continue
        length = struct.unpack(">H", header[position + 2 : position + 4])[0]
        if marker in _JPEG_FRAME_MARKERS:
            height, width = struct.unpack(">HH", header[position + 5 : position + 9])
            return width, height
        position += 2 + length
    return None
