"""Reading JSON lines from a file or stdin: any size, bounded memory, never a crash on odd bytes.

The input is streamed in blocks, so a file of millions of lines never sits in memory; a line longer
than ``MAX_LINE_CHARS`` is skipped without being kept (it is reported as that line's error), so
even an endless line costs no memory. A byte-order mark selects UTF-8, UTF-16 or UTF-32; otherwise
the text is UTF-8. Bytes that do not decode become U+FFFD (a truncated UTF-16 file included), and
binary data (NUL bytes, a known file signature) is refused at the start in one line.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import InputError
from .decode import looks_binary, sniff_bom

BLOCK = 1 << 16
# A 1,000,000-character article written with \uXXXX escapes is ~6 MB of JSON; 20 M characters is a
# line no article needs, and bounds the memory one line may take.
MAX_LINE_CHARS = 20_000_000


@dataclass
class Line:
    number: int  # 1-based, counting blank lines
    text: str | None  # None: the line was longer than ``MAX_LINE_CHARS`` and was skipped


def _first_block(fh: BinaryIO, name: str) -> tuple[codecs.IncrementalDecoder, str]:
    """Read what the encoding and the binary check need; (decoder, text of the first block)."""
    first = b""
    while len(first) < 4:  # enough for any byte-order mark
        block = _reader(fh)(BLOCK)
        if not block:
            break
        first += block
    encoding, skip = sniff_bom(first)
    if encoding is None and looks_binary(first):
        raise InputError(f"{name}: binary data, not JSON lines (decompress or convert it first)")
    decoder = codecs.getincrementaldecoder(encoding or "utf-8")(errors="replace")
    return decoder, decoder.decode(first[skip:])


def _reader(fh: BinaryIO):
    return getattr(fh, "read1", fh.read)  # what has arrived: a slow pipe is served line by line


def _decoded_blocks(fh: BinaryIO, decoder: codecs.IncrementalDecoder, first: str) -> Iterator[str]:
    yield first
    read = _reader(fh)
    while block := read(BLOCK):
        yield decoder.decode(block)
    yield decoder.decode(b"", final=True)


def iter_lines(fh: BinaryIO, name: str, *, max_chars: int = MAX_LINE_CHARS) -> Iterator[Line]:
    """Every line of ``fh`` (without its line end), decoded; ``InputError`` if it is binary data
    (raised before the first line: the first block is read and checked at once)."""
    decoder, first = _first_block(fh, name)
    return _split_lines(_decoded_blocks(fh, decoder, first), max_chars)


def _split_lines(blocks: Iterator[str], max_chars: int) -> Iterator[Line]:
    number = 1
    pieces: list[str] = []  # the line being read, in pieces: a long line is joined once
    size, skipping = 0, False
    for text in blocks:
        *ended, rest = text.split("\n")
        if ended:
            pieces.append(ended[0])
            size += len(ended[0])
            first = None if skipping or size > max_chars else "".join(pieces)
            for line in (first, *ended[1:]):
                yield Line(number, None if line is None or len(line) > max_chars else line)
                number += 1
            pieces, size, skipping = [], 0, False
        if not skipping:
            pieces.append(rest)
            size += len(rest)
            if size > max_chars:  # no line end in sight: keep nothing more of this line
                pieces, size, skipping = [], 0, True
    if size or skipping:
        yield Line(number, None if skipping else "".join(pieces))


def _open_input(spec: str) -> BinaryIO:
    if spec == "-":
        if sys.stdin is None:
            raise InputError("stdin: no standard input")
        return sys.stdin.buffer
    try:
        st = os.stat(spec)
    except FileNotFoundError:
        raise InputError(f"{spec}: no such file") from None
    except OSError as e:
        raise InputError(f"{spec}: cannot read ({e.strerror or e})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{spec}: is a directory, not a file")
    try:
        return open(spec, "rb")  # FIFOs and /dev/stdin too: `batch <(zcat news.jsonl.gz)`
    except PermissionError:
        raise InputError(f"{spec}: permission denied") from None
    except OSError as e:
        raise InputError(f"{spec}: cannot read ({e.strerror or e})") from None


def read_lines(spec: str) -> Iterator[Line]:
    """The lines of a file, or of stdin for ``-``, streamed (see the module's notes). A missing,
    unreadable or binary input raises ``InputError`` here, before any line is read."""
    fh = _open_input(spec)
    name = "stdin" if spec == "-" else spec
    try:
        lines = iter_lines(fh, name)
    except OSError as e:
        _close(fh)
        raise InputError(f"{name}: cannot read ({e.strerror or e})") from None
    except BaseException:
        _close(fh)
        raise
    return _closing(lines, fh, name)


def _closing(lines: Iterator[Line], fh: BinaryIO, name: str) -> Iterator[Line]:
    try:
        yield from lines
    except OSError as e:
        raise InputError(f"{name}: cannot read ({e.strerror or e})") from None
    finally:
        _close(fh)


def _close(fh: BinaryIO) -> None:
    if fh is not getattr(sys.stdin, "buffer", None):
        fh.close()


def count_lines(spec: str) -> int | None:
    """How many non-blank lines a regular file has (for a progress bar); None for stdin, pipes
    and anything that cannot be read twice."""
    if spec == "-":
        return None
    try:
        if not stat.S_ISREG(os.stat(spec).st_mode):
            return None
        with open(spec, "rb") as fh:
            return sum(1 for line in iter_lines(fh, spec) if line.text is None or line.text.strip())
    except (OSError, InputError):
        return None


__all__ = ["Line", "MAX_LINE_CHARS", "count_lines", "iter_lines", "read_lines"]
