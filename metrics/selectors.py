"""Reads of the request counter."""

from metrics.counter import get_counter


def request_count_get() -> int:
    """Requests the deployment served since the last reset, every one that arrived before this call included.

    Raises `metrics.stores.CounterUnavailable` when the store cannot be read. Call it outside a
    database transaction: with the database store, a waiting read would hold the counter's row.
    """
    return get_counter().read()
