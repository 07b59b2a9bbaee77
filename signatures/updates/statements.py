"""A compiled statement run once per message with different ids: planned once by PostgreSQL, not each time.

A worker's per-message statement carries the audience's consent condition, a
join over four tables, and PostgreSQL spends about ten times longer planning
it than running it. Prepared (PREPARE, then EXECUTE per message) it is planned
once and the plan reused. Other databases (the embedded SQLite) run the SQL
as compiled.
"""

import uuid

from django.db import connection

from petition.prepared import numbered_placeholders


class Statement:
    """SQL whose parameters equal to sentinel are bound, in order, to the ids of each execute()."""

    def __init__(self, sql: str, params: list, sentinel: int):
        self.sql = sql
        self.params = params
        self.sentinel = sentinel
        self.name: str | None = None

    def execute(self, *ids: int) -> tuple:
        """The row the statement returns, or for an update without RETURNING the number of rows it changed."""
        ids_in_order = iter(ids)
        params = [next(ids_in_order) if param == self.sentinel else param for param in self.params]
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute(self.sql, params)
            else:
                if self.name is None:
                    self.prepare(cursor)
                cursor.execute(f"EXECUTE {self.name}({', '.join(['%s'] * len(params))})", params)
            return cursor.fetchone() if cursor.description else (cursor.rowcount,)

    def prepare(self, cursor) -> None:
        # A name of its own: one left behind by a worker that failed mid-batch cannot clash, and ends with the session.
        self.name = "update_" + uuid.uuid4().hex
        cursor.execute(f"PREPARE {self.name} AS {numbered_placeholders(self.sql)}")

    def close(self) -> None:
        if self.name is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"DEALLOCATE {self.name}")
            self.name = None
