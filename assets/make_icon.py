#!/usr/bin/env python3
"""Draws Wasmscope's window icon: a magnifier over a WebAssembly-purple
square, 64x64, anti-aliased by supersampling. Writes icon.png (to look at)
and icon.rgba (the same pixels, raw, row by row, 4 bytes each: what the app
embeds, since it has no PNG decoder). Standard library only.

    python3 assets/make_icon.py
"""

import math
import os
import struct
import zlib

SIZE = 64
SUPERSAMPLE = 4

SQUARE = (101, 79, 240)  # WebAssembly's purple
RIM = (255, 255, 255)
LENS = (210, 230, 255)
HANDLE = (40, 40, 48)


def inside_rounded_square(x, y, left, top, size, radius):
    right, bottom = left + size, top + size
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    return left <= x <= right and top <= y <= bottom and (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def distance_to_segment(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def sample(x, y):
    """The colour at a point (in 0..SIZE units), or None where transparent."""
    # The handle, from the lens down to the bottom right corner.
    if distance_to_segment(x, y, 40.0, 40.0, 57.0, 57.0) <= 4.5:
        return HANDLE
    lens_x, lens_y, radius = 28.0, 28.0, 17.0
    d = math.hypot(x - lens_x, y - lens_y)
    if d <= radius - 4.0:
        # Through the glass, the square looks lighter.
        return LENS if inside_rounded_square(x, y, 4, 4, 46, 9) else (235, 242, 255)
    if d <= radius:
        return RIM
    if inside_rounded_square(x, y, 4, 4, 46, 9):
        return SQUARE
    return None


def pixels():
    out = bytearray()
    n = SUPERSAMPLE * SUPERSAMPLE
    for row in range(SIZE):
        for col in range(SIZE):
            r = g = b = a = 0
            for sy in range(SUPERSAMPLE):
                for sx in range(SUPERSAMPLE):
                    colour = sample(col + (sx + 0.5) / SUPERSAMPLE, row + (sy + 0.5) / SUPERSAMPLE)
                    if colour is not None:
                        r, g, b, a = r + colour[0], g + colour[1], b + colour[2], a + 1
            if a:
                out += bytes((r // a, g // a, b // a, 255 * a // n))
            else:
                out += bytes(4)
    return bytes(out)


def png(rgba):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    rows = b"".join(b"\0" + rgba[y * SIZE * 4 : (y + 1) * SIZE * 4] for y in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    rgba = pixels()
    with open(os.path.join(here, "icon.rgba"), "wb") as f:
        f.write(rgba)
    with open(os.path.join(here, "icon.png"), "wb") as f:
        f.write(png(rgba))


if __name__ == "__main__":
    main()
