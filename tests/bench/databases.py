"""Whether a benchmark tool left its database behind."""

from urllib.parse import urlsplit, urlunsplit

import psycopg2


def database_exists(url: str) -> bool:
    parts = urlsplit(url)
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parts.path.lstrip("/")])
            return cursor.fetchone() is not None
    finally:
        connection.close()
