"""Django's PostgreSQL backend, with a health check that needs no round trip while the server has said nothing.

CONN_HEALTH_CHECKS has Django send "SELECT 1" before the first query of
every request and task on a kept connection, so that one closed by the
server (a restart, pg_terminate_backend, a crashed backend) is replaced
instead of failing that request. A signed and confirmed signature paid for
2.8 of them, each a round trip costing the web process and PostgreSQL about
30 µs of CPU apiece (docs/BENCHMARKS.md, 2026-12-05).

A server that ends a connection says so on its socket: it sends its FATAL
message and closes, or its kernel closes the socket for it, and either makes
the socket readable. Between requests nothing else arrives on our
connections (no LISTEN, no query left running), so a socket with nothing to
read belongs to a connection the server has not ended, and needs no SELECT 1.
One with something to read gets Django's check, which reads it and replaces
the connection when it is closed. A server that vanished without a word (its
machine gone, the network cut) is found by neither check before the query's
own timeout.
"""

import select

from django.db.backends.postgresql import base


def nothing_to_read(driver_connection) -> bool:
    """True when the driver's connection is open and its socket holds nothing from the server."""
    if driver_connection.closed:
        return False
    poller = select.poll()
    poller.register(driver_connection.fileno(), select.POLLIN)
    return not poller.poll(0)


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and nothing_to_read(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
