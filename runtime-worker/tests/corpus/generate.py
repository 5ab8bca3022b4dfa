#!/usr/bin/env python3
"""Writes the malformed-input corpus: files that look like WebAssembly and are
not, files that are something else entirely, and broken WebAssembly text.
Every file must be refused with a clear error (and an offset where a binary
has one) and nothing may panic: tests/engine/corpus.rs checks them all.

Run from this directory: python3 generate.py
"""

import gzip
import io
import os
import struct
import zipfile

HEADER = b"\0asm\x01\0\0\0"


def leb(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def section(section_id, payload):
    return bytes([section_id]) + leb(len(payload)) + payload


def name(text):
    data = text.encode() if isinstance(text, str) else text
    return leb(len(data)) + data


# () -> () and the body `end`.
TYPE_VOID = section(1, leb(1) + b"\x60\x00\x00")
FUNC_ONE = section(3, leb(1) + leb(0))
CODE_EMPTY = section(10, leb(1) + leb(2) + b"\x00\x0b")

FILES = {
    # Header problems.
    "empty.wasm": b"",
    "magic_only.wasm": b"\0asm",
    "wrong_magic.wasm": b"\0asn\x01\0\0\0",
    "wrong_version.wasm": b"\0asm\x02\0\0\0",
    "wrong_layer.wasm": b"\0asm\x01\0\x07\0",
    # Encodings.
    "bad_leb_section_size.wasm": HEADER + b"\x01\xff\xff\xff\xff\xff\x0f",
    "overlong_leb_count.wasm": HEADER + section(1, b"\x81\x80\x80\x80\x80\x00"),
    "section_size_past_end.wasm": HEADER + b"\x01\x7f\x01\x60",
    "huge_type_count.wasm": HEADER + section(1, leb(0xFFFFFFFF)),
    "huge_function_count.wasm": HEADER + TYPE_VOID + section(3, leb(100_000_000) + leb(0)),
    "huge_import_name.wasm": HEADER + section(2, leb(1) + leb(0x7FFFFFFF) + b"env"),
    "bad_utf8_import_name.wasm": HEADER + TYPE_VOID + section(2, leb(1) + name(b"\xff\xfe") + name("f") + b"\x00" + leb(0)),
    # Structure.
    "unknown_section.wasm": HEADER + section(0x63, b"\x00"),
    "duplicate_type_section.wasm": HEADER + TYPE_VOID + TYPE_VOID,
    "sections_out_of_order.wasm": HEADER + FUNC_ONE + TYPE_VOID,
    "function_without_body.wasm": HEADER + TYPE_VOID + FUNC_ONE,
    "body_without_function.wasm": HEADER + TYPE_VOID + CODE_EMPTY,
    "body_size_past_end.wasm": HEADER + TYPE_VOID + FUNC_ONE + section(10, leb(1) + leb(200) + b"\x00\x0b"),
    "invalid_opcode.wasm": HEADER + TYPE_VOID + FUNC_ONE + section(10, leb(1) + leb(3) + b"\x00\xff\x0b"),
    "type_mismatch.wasm": HEADER + TYPE_VOID + FUNC_ONE + section(10, leb(1) + leb(3) + b"\x00\x6a\x0b"),
    "missing_end.wasm": HEADER + TYPE_VOID + FUNC_ONE + section(10, leb(1) + leb(2) + b"\x00\x01"),
    "memory_too_large.wasm": HEADER + section(5, leb(1) + b"\x00" + leb(70_000)),
    "custom_name_past_end.wasm": HEADER + b"\x00\x02\x10a",
    # Not WebAssembly at all.
    "picture.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(17),
    "photo.jpg": b"\xff\xd8\xff\xe0\0\x10JFIF\0" + bytes(20),
    "animation.gif": b"GIF89a" + bytes(20),
    "document.pdf": b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
    "program.elf": b"\x7fELF\x02\x01\x01" + bytes(57),
    "program.exe": b"MZ\x90\0" + bytes(60),
    "program.macho": b"\xcf\xfa\xed\xfe" + bytes(28),
    "script.sh": b"#!/bin/sh\necho hello\n",
    "data.json": b'{"module": "not really"}\n',
    "page.html": b"<!doctype html><title>x</title>\n",
    "noise.bin": bytes((i * 37 + 11) % 256 for i in range(512)),
    # Broken WebAssembly text.
    "syntax_error.wat": b"(module\n  (func (i32.bogus))\n)\n",
    "unbalanced.wat": b"(module (func (result i32) i32.const 1)\n",
    "unknown_import_type.wat": b'(module (import "a" "b" (thing)))\n',
    "bad_text_encoding.wat": b"(module (func $\xff\xfe))\n",
    "plain_text.wat": b"this is a note, not a module\n",
    # A component whose canonical options cannot work: a string crosses the
    # boundary with no memory to put it in.
    "component_bad_canonical_options.wat": b"""(component
  (core module $m (func (export "f") (param i32 i32)))
  (core instance $i (instantiate $m))
  (func (export "greet") (param "name" string) (canon lift (core func $i "f")))
)
""",
}


def archive(kind):
    buffer = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("module.wasm", HEADER)
    else:
        with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as g:
            g.write(HEADER)
    return buffer.getvalue()


FILES["archive.zip"] = archive("zip")
FILES["module.wasm.gz"] = archive("gzip")

for file_name, data in FILES.items():
    with open(file_name, "wb") as f:
        f.write(data)
print(f"wrote {len(FILES)} files")
