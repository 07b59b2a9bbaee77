"""Rows the benchmark needs, made fast and in the database.

`manage.py seed_signatures` (when the project has it) makes the realistic
million for the admin and export scenarios. The benchmark also needs rows it
knows the link salts of (confirmation links to click) and a fallback filler;
both are one INSERT … SELECT over generate_series, built from the model's
fields so that a column added later gets its model default instead of
breaking the seeder.
"""

from django.db import connection

from signatures.models import Signature

COUNTRIES = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
]  # fmt: skip
CHUNK = 100_000


def _column_expressions(
    campaign_id: int, status: str, tag: str, counted: bool
) -> tuple[list[str], list[str], list]:
    """Column names, SQL expressions (of the series value i) and their parameters."""
    status = str(status)
    confirmed = status == Signature.Status.CONFIRMED
    country_array = "ARRAY[" + ",".join(f"'{code}'" for code in COUNTRIES) + "]"
    special = {
        "campaign": ("%s", [campaign_id]),
        "first_name": ("'Seed'", []),
        "last_name": ("'Signer ' || i", []),
        "email": ("'seed-' || %s || '-' || i || '@example.org'", [tag]),
        "email_canonical": ("'seed-' || %s || '-' || i || '@example.org'", [tag]),
        "country": (f"({country_array})[1 + mod(i, {len(COUNTRIES)})]", []),
        "postcode": ("lpad(mod(i, 99999)::text, 5, '0')", []),
        "status": ("%s", [status]),
        "link_salt": ("md5(random()::text || i)", []),
        "ip_hash": ("md5(i::text) || md5(i::text)", []),
        "created_at": ("now() - make_interval(secs => mod(i, 864000))", []),
        "confirmed_at": ("now() - make_interval(secs => mod(i, 432000))" if confirmed else "NULL", []),
        "is_counted": ("%s", [counted]),
    }
    columns, expressions, params = [], [], []
    for model_field in Signature._meta.concrete_fields:
        if model_field.primary_key or getattr(model_field, "generated", False):
            continue
        if model_field.name in special:
            expression, values = special[model_field.name]
        elif getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            expression, values = "now()", []
        elif model_field.has_default():
            expression, values = "%s", [model_field.get_db_prep_value(model_field.get_default(), connection)]
        elif model_field.null:
            expression, values = "NULL", []
        elif model_field.empty_strings_allowed:
            expression, values = "''", []
        else:
            raise RuntimeError(f"the bench seeder does not know how to fill Signature.{model_field.name}")
        columns.append(connection.ops.quote_name(model_field.column))
        expressions.append(expression)
        params.extend(values)
    return columns, expressions, params


def insert_signatures(
    campaign_id: int, count: int, *, status: str, tag: str, counted: bool | None = None, returning: bool = False
) -> list[tuple[int, str]]:
    """Insert `count` signatures in chunks; with returning, give back (pk, link_salt) of each.

    Confirmed rows are counted (already folded in) unless counted=False says
    they still wait for a fold.
    """
    if counted is None:
        counted = str(status) == Signature.Status.CONFIRMED
    columns, expressions, params = _column_expressions(campaign_id, status, tag, counted)
    table = connection.ops.quote_name(Signature._meta.db_table)
    returned = []
    for first in range(0, count, CHUNK):
        last = min(count, first + CHUNK) - 1
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(expressions)} FROM generate_series(%s, %s) AS i"
            + (" RETURNING id, link_salt" if returning else "")
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, first, last])
            if returning:
                returned.extend(cursor.fetchall())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    return returned
