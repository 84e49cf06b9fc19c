"""Bytes -> text: encoding detection and refusal of binary data.

Never raises anything but ``InputError``: a byte-order mark is trusted and bytes that do not fit
it (a UTF-16 file cut after an odd number of bytes) become U+FFFD; a declared charset that Python
does not know, or that does not fit the bytes, is ignored.
"""

from __future__ import annotations

import codecs

from ..errors import InputError

_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x7fELF",
    b"BZh",
    b"\xfd7zXZ",
    b"(\xb5/\xfd",
    b"7z\xbc\xaf",
)

_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def looks_binary(head: bytes) -> bool:
    """A file signature, or NUL bytes (no text encoding without a byte-order mark has them)."""
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head[:4096]


def _mostly_control(text: str) -> bool:
    sample = text[:4096]
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f")
    return bad > 0.05 * len(sample)


def sniff_bom(data: bytes) -> tuple[str | None, int]:
    """(encoding, length of the mark) from a byte-order mark; (None, 0) without one."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None, 0


def _by_bom(data: bytes) -> str | None:
    encoding, skip = sniff_bom(data)
    return data[skip:].decode(encoding, errors="replace") if encoding else None


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeError, LookupError, ValueError, TypeError):
        # LookupError: unknown name; UnicodeError: wrong bytes ("idna" and friends raise the base
        # class); TypeError/ValueError: bytes-to-bytes codecs named in a Content-Type
        return None


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> str:
    """Decode ``data``: BOM / declared charset / UTF-8 first, then charset detection (cp1252, latin-1...)."""
    text = _by_bom(data)
    if text is None and declared and _wide(declared) and b"\x00" in data:
        text = _try(data, declared)  # UTF-16 or -32 without a mark: NUL bytes are expected there
    if text is None:
        if looks_binary(data):
            raise InputError(f"{name}: binary file, not text")
        # a UTF-16/32 label on bytes without a NUL is a server's mistake: any Latin text would have NULs
        text = _try(data, declared) if declared and not _wide(declared) else None
        if text is None:
            text = _try(data, "utf-8")
        if text is None:
            text = _detect(data, name)
    if text and _mostly_control(text):  # binary that happened to decode
        raise InputError(f"{name}: binary file, not text")
    return text


def _wide(charset: str) -> bool:
    return charset.strip().lower().replace("_", "-").startswith(("utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs2"))


def _detect(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - a detector failure means the same as no answer
        best = None
    if best is None:
        raise InputError(f"{name}: cannot detect the text encoding (binary or corrupt data?)")
    return str(best)
