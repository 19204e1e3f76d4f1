"""Writes of the request counter."""

from metrics.counter import get_counter


def request_count_reset() -> int:
    """Clears the count, after every request that arrived before this call is in it; answers what it cleared.

    Raises `metrics.stores.CounterUnavailable` when the store cannot be written. Call it outside a
    database transaction, as `request_count_get`.
    """
    return get_counter().read(reset=True)
