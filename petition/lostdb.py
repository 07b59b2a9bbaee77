"""Running a signer's view once more when PostgreSQL dropped its connection in the middle of it.

Django checks a kept connection before a request (CONN_HEALTH_CHECKS), not
between its statements: a connection ended by the server while the request
runs (pg_terminate_backend, a restart or failover between the view's first
query and its write) fails the next statement, and the signer would see a 500
for a fault that a new connection cures at once. The views this wraps are
safe to run twice: signing inserts with ON CONFLICT DO NOTHING, confirming
only moves a pending row, and a transaction the lost connection was in is
gone with it, so nothing is half-written to build on.
"""

import logging
from functools import wraps

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)


def connection_lost() -> bool:
    """Whether the default connection is broken (rather than a query having failed on a healthy one)."""
    if connection.in_atomic_block:
        # The caller's transaction, not ours to start again.
        return False
    return connection.connection is None or not connection.is_usable()


def retry_on_lost_connection(view):
    """Run the view once more on a new connection when the database connection broke under it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            if not connection_lost():
                raise
            logger.warning(
                "database connection lost during %s (%s); running it again", view.__name__, type(exc).__name__
            )
            connection.close()
            return view(request, *args, **kwargs)

    return wrapped
