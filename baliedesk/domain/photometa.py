"""Take the metadata out of a photo before it is stored: GPS position, camera, date, names.

Lossless: the image data itself is copied byte for byte.

* JPEG: the APP1 (Exif, XMP), APP12, APP13 (IPTC) segments and comments go;
  JFIF (APP0), the colour profile (APP2) and Adobe (APP14) stay.
* PNG: the eXIf, tEXt, iTXt, zTXt and tIME chunks go.
* GIF is returned as it is (GIF carries no Exif).

A file that does not parse as a JPEG or PNG is kept as it is when it holds no
metadata marker at all; otherwise :class:`ValueError` (the caller refuses it).
"""

from __future__ import annotations

import struct
import zlib

_JPEG_DROP = {0xE1, 0xEC, 0xED, 0xFE}  # APP1, APP12, APP13, COM
_PNG_DROP = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def strip_metadata(data: bytes, content_type: str) -> bytes:
    try:
        if content_type == "image/jpeg":
            return _strip_jpeg(data)
        if content_type == "image/png":
            return _strip_png(data)
    except (ValueError, struct.error):
        # Not the structure expected: kept as it is only when it holds no metadata block at all.
        if any(mark in data for mark in (b"Exif", b"eXIf", b"http://ns.adobe.com/xap", b"tEXt", b"iTXt", b"zTXt")):
            raise ValueError("photo metadata could not be removed") from None
    return data


def _strip_jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = bytearray(b"\xff\xd8")
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            raise ValueError("JPEG marker expected")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[i:]
            return bytes(out)
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            out += data[i:i + 2]
            i += 2
            continue
        if marker == 0xD9:
            out += data[i:i + 2]
            return bytes(out)
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        segment = data[i:i + 2 + length]
        if len(segment) < 2 + length:
            raise ValueError("JPEG segment cut off")
        if marker not in _JPEG_DROP:
            out += segment
        i += 2 + length
    return bytes(out)


def _strip_png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG")
    out = bytearray(_PNG_SIGNATURE)
    i = len(_PNG_SIGNATURE)
    while i + 8 <= len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind = data[i + 4:i + 8]
        chunk = data[i:i + 12 + length]
        if len(chunk) < 12 + length:
            raise ValueError("PNG chunk cut off")
        if kind not in _PNG_DROP:
            out += chunk
        i += 12 + length
        if kind == b"IEND":
            break
    return bytes(out)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk (for tests that build a PNG with metadata)."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
