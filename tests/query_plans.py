"""What PostgreSQL plans for a query when it may not scan a whole table: which index, if any, answers it."""

from django.db import connection


def plan_without_table_scans(queryset) -> str:
    """EXPLAIN of the queryset with sequential scans discouraged, so a tiny test table still shows its index."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
