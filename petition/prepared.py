"""The statements every signature runs, parsed and planned by PostgreSQL once per connection instead of each time.

A signature's INSERT, the confirmation link's lookup, the confirming UPDATE
and the drain's mark of a sent email take PostgreSQL less CPU to run than to
parse and plan. Measured on the benchmark's database (backend CPU per
execution, as sent / prepared): link lookup 167 / 60 µs, confirming UPDATE
313 / 70, INSERT 210 / 123, sent mark 117 / 57. psycopg2 has no prepared
statements of its own, so a statement is prepared in SQL (PREPARE) the second
time it runs on a connection, and from then on run by name (EXECUTE): a
connection that lives for one request never pays for preparing what it runs
once.

A prepared statement belongs to the database session: it outlives a rolled
back transaction, and a new connection starts with none (the count of uses
is kept per connection object). The PREPARE goes to the driver's cursor, not
through Django's: it is how the statement runs, not one of the code's own, and
counting it would make a request's statements depend on what ran before it
on the connection. Other databases (the embedded SQLite) run the SQL as written.
"""

import itertools
import re
import weakref

# psycopg2's placeholders, and its escaped percent sign.
PLACEHOLDER = re.compile(r"%%|%s")

# Per open connection (the driver's object): statement name -> uses so far, or PREPARED.
PREPARED = -1
_uses_by_session: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

# Every prepared statement's name, and its SQL: the names must not clash.
STATEMENTS: dict[str, str] = {}


def numbered_placeholders(sql: str) -> str:
    """The SQL as PREPARE takes it: $1, $2 … where psycopg2 has %s, and % for %%."""
    numbers = itertools.count(1)
    return PLACEHOLDER.sub(lambda match: "%" if match.group() == "%%" else f"${next(numbers)}", sql)


class PreparedStatement:
    """SQL with %s placeholders, run through a Django cursor by execute() as cursor.execute(sql, params) would."""

    def __init__(self, name: str, sql: str):
        if STATEMENTS.get(name, sql) != sql:
            raise ValueError(f"two different statements are named {name}")
        STATEMENTS[name] = sql
        self.name = name
        self.sql = sql
        self.prepare_sql = f"PREPARE {name} AS {numbered_placeholders(sql)}"
        arguments = PLACEHOLDER.findall(sql).count("%s")
        self.execute_sql = f"EXECUTE {name}({', '.join(['%s'] * arguments)})" if arguments else f"EXECUTE {name}"

    def execute(self, cursor, params) -> None:
        database = cursor.db
        if database.vendor != "postgresql":
            cursor.execute(self.sql, params)
            return
        uses = _uses_by_session.setdefault(database.connection, {})
        used = uses.get(self.name, 0)
        if used == PREPARED:
            cursor.execute(self.execute_sql, params)
        elif used == 0:
            cursor.execute(self.sql, params)
            uses[self.name] = 1
        else:
            with database.wrap_database_errors:
                cursor.cursor.execute(self.prepare_sql)
            uses[self.name] = PREPARED
            cursor.execute(self.execute_sql, params)


EXECUTE = re.compile(r"EXECUTE (\w+)")


def written_out(sent_sql: str) -> str:
    """What a statement as sent stands for, to read a query log by: a prepared one's SQL for its EXECUTE, else the statement itself."""
    execute = EXECUTE.match(sent_sql)
    if execute and execute.group(1) in STATEMENTS:
        return STATEMENTS[execute.group(1)]
    return sent_sql
