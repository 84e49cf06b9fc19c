"""Bytes -> text: encoding detection and refusal of binary data."""
from __future__ import annotations

from ..errors import InputError

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF", b"BZh")


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> str:
    """Decode ``data``: BOM / declared charset / UTF-8 first, then charset detection (cp1252, latin-1...)."""
    if data.startswith(_BINARY_MAGIC):
        raise InputError(f"{name}: binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: binary file, not text")
    for enc in filter(None, (declared, "utf-8")):
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{name}: cannot detect the text encoding (binary or corrupt data?)")
    text = str(best)
    # mostly control characters: binary that happened to decode
    bad = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\t\n\r\f")
    if bad > 0.05 * min(len(text), 4096):
        raise InputError(f"{name}: binary file, not text")
    return text
