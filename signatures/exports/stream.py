"""The CSV bytes of an export, leaving PostgreSQL through COPY in chunks.

Rows leave through `COPY (SELECT ...) TO STDOUT` in chunks of CHUNK_ROWS,
walking the primary key (keyset pagination). Each chunk is one short
statement, so memory stays flat however long the list, no transaction is held
open while a browser downloads, and the chunks can be handed out one at a time
to a streaming response, a file or stdout alike.

A database without COPY (the embedded SQLite) gets the same bytes from
signatures.exports.portable, chunk by chunk in the same way.
"""

import hashlib
from collections.abc import Iterator

from django.db import connection

from .portable import portable_chunk
from .spec import COLUMNS, ExportSpec, matching_signatures

CHUNK_ROWS = 50_000
BOM = b"\xef\xbb\xbf"


def header_bytes(spec: ExportSpec) -> bytes:
    return (BOM if spec.include_bom else b"") + (",".join(spec.headers) + "\n").encode()


def chunk_query(spec: ExportSpec, after_id: int) -> tuple[str, tuple]:
    """SELECT id, then the purpose's columns, for the next CHUNK_ROWS signatures after after_id."""
    columns = {f"export_col_{i}": expression for i, (_, expression) in enumerate(COLUMNS[spec.purpose])}
    chunk = (
        matching_signatures(spec, after_id)
        .annotate(**columns)
        .order_by("pk")
        .values_list("pk", *columns)[:CHUNK_ROWS]
    )
    return chunk.query.sql_with_params()


class CopiedRows:
    """Receives one chunk from COPY and cuts the leading id off each row.

    psycopg2 calls write() once per CopyData message, and PostgreSQL sends
    exactly one message per row for COPY TO, so each call is one CSV line
    starting with the integer id (never quoted) and a comma.
    """

    def __init__(self):
        self.rows: list[bytes] = []
        self.last_row = b""

    def write(self, row: bytes) -> None:
        self.rows.append(row[row.index(b",") + 1 :])
        self.last_row = row

    def last_id(self) -> int:
        return int(self.last_row[: self.last_row.index(b",")])


def copy_chunk(spec: ExportSpec, after_id: int) -> CopiedRows:
    sql, params = chunk_query(spec, after_id)
    received = CopiedRows()
    with connection.cursor() as cursor:
        select = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", received)
    return received


def read_chunk(spec: ExportSpec, after_id: int):
    """The next CHUNK_ROWS rows after after_id: through COPY on PostgreSQL, through the ORM elsewhere."""
    if connection.vendor == "postgresql":
        return copy_chunk(spec, after_id)
    return portable_chunk(spec, after_id, CHUNK_ROWS)


class ExportStream:
    """The CSV bytes of one export, chunk by chunk, tallying rows, size and SHA-256 as they pass."""

    def __init__(self, spec: ExportSpec):
        self.spec = spec
        self.row_count = 0
        self.size_bytes = 0
        self._sha256 = hashlib.sha256()

    @property
    def checksum(self) -> str:
        return self._sha256.hexdigest()

    def _tally(self, data: bytes, rows: int) -> bytes:
        self._sha256.update(data)
        self.size_bytes += len(data)
        self.row_count += rows
        return data

    def __iter__(self) -> Iterator[bytes]:
        yield self._tally(header_bytes(self.spec), 0)
        after_id = 0
        while True:
            chunk = read_chunk(self.spec, after_id)
            if chunk.rows:
                yield self._tally(b"".join(chunk.rows), len(chunk.rows))
                after_id = chunk.last_id()
            if len(chunk.rows) < CHUNK_ROWS:
                return
