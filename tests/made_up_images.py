"""Made-up pictures for the upload tests and the app's: a thick "7", and a PNG whose header lies about its size.

A plain helper module (no tests in it), used by tests/test_upload.py and tests/test_streamlit_app.py.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height: a pixel bomb that never needs the memory."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def seven(size: int = 112, ink: int = 255, background: int = 0) -> np.ndarray:
    """(size, size) uint8: a thick "7" (top bar and a diagonal) in `ink` on `background`."""
    pixels = np.full((size, size), background, dtype=np.uint8)
    unit = size // 8
    pixels[unit : 2 * unit, 2 * unit : 6 * unit] = ink
    for row in range(2 * unit, 7 * unit):
        column = 6 * unit - (row - 2 * unit) * 3 * unit // (5 * unit)
        pixels[row, column - unit // 2 : column + unit // 2] = ink
    return pixels
