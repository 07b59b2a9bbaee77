"""The same CSV rows as COPY, made in Python, for databases without COPY (the embedded SQLite of `make run`).

Rows come through the ORM by the same query as the COPY path (the same
filters, keyset chunks, order and joins), each column goes through the same
rule as its SQL (SpreadsheetSafe.in_python, UtcTimestamp.in_python), and each
value is written as PostgreSQL's CSV output writes it: quoted when it holds a
comma, a quote or a line break, and an empty text quoted as "" so that it stays
apart from a missing value (NULL), which is left empty. The file, and so its
checksum, is byte for byte the one COPY gives for the same rows. Fine at demo
sizes; PostgreSQL keeps COPY for millions.
"""

from django.db.models import F

from .spec import COLUMNS, ExportSpec, matching_signatures

NEEDS_QUOTES = (",", '"', "\n", "\r")


def csv_value(value: str | None) -> str:
    if value is None:
        return ""
    if value == "" or any(char in value for char in NEEDS_QUOTES):
        return '"' + value.replace('"', '""') + '"'
    return value


class PortableRows:
    """One chunk of CSV lines made in Python, shaped like stream.CopiedRows."""

    def __init__(self, lines: list[bytes], last_id: int):
        self.rows = lines
        self._last_id = last_id

    def last_id(self) -> int:
        return self._last_id


def portable_chunk(spec: ExportSpec, after_id: int, limit: int) -> PortableRows:
    """The next `limit` rows after after_id, as stream.copy_chunk would give them."""
    expressions = [expression for _, expression in COLUMNS[spec.purpose]]
    # The same annotate-then-values shape as stream.chunk_query, so a consent
    # column comes from the join the consent filter made, exactly as in SQL.
    columns = {f"export_col_{i}": F(expression.column) for i, expression in enumerate(expressions)}
    chunk = (
        matching_signatures(spec, after_id)
        .annotate(**columns)
        .order_by("pk")
        .values_list("pk", *columns)[:limit]
    )
    lines, last_id = [], after_id
    for pk, *values in chunk:
        cells = (csv_value(expression.in_python(value)) for expression, value in zip(expressions, values, strict=True))
        lines.append((",".join(cells) + "\n").encode())
        last_id = pk
    return PortableRows(lines, last_id)
