"""What the database's errors mean for a client."""

import sqlite3

from django.db import DatabaseError

# SQLite: another connection holds the lock (after the busy timeout), or the shared-cache table lock.
SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
# PostgreSQL: lock_not_available (lock_timeout), query_canceled (statement_timeout), deadlock_detected.
POSTGRES_BUSY_STATES = frozenset({"55P03", "57014", "40P01"})


def is_database_busy(error: BaseException) -> bool:
    """Whether `error` is a wait for a lock that ran out: the request may succeed if retried, so 503."""
    if not isinstance(error, DatabaseError):
        return False
    cause = error.__cause__  # the driver's error, which Django wraps
    return (
        getattr(cause, "sqlite_errorcode", None) in SQLITE_BUSY_CODES
        or getattr(cause, "sqlstate", None) in POSTGRES_BUSY_STATES
    )
