"""Which encoding a partner's file is in: a BOM says so, else UTF-8 if it all decodes, else Latin-1."""

import codecs
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True)
class Encoding:
    codec: str
    # Shown in the report when we had to guess.
    note: str = ""
    # Newlines in the file: what progress is measured against.
    lines: int = 0


def detect_encoding(path: Path) -> Encoding:
    """One pass over the bytes: the BOM, whether all of it is UTF-8, and how many lines it has."""
    with open(path, "rb") as handle:
        start = handle.read(4)
        handle.seek(0)
        if start.startswith(codecs.BOM_UTF8):
            return Encoding("utf-8-sig", lines=count_lines(handle))
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return Encoding("utf-16", lines=count_lines(handle))
        decoder = codecs.getincrementaldecoder("utf-8")()
        lines = 0
        utf8 = True
        while chunk := handle.read(CHUNK):
            lines += chunk.count(b"\n")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        return Encoding("utf-8", lines=lines)
    return Encoding("latin-1", note="latin-1", lines=lines)


def count_lines(handle) -> int:
    lines = 0
    while chunk := handle.read(CHUNK):
        lines += chunk.count(b"\n")
    return lines


def open_text(path: Path, encoding: Encoding):
    """The file as text with universal newlines left to the csv module (newline="")."""
    return open(path, encoding=encoding.codec, newline="", errors="strict")
