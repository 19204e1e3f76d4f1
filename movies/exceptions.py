"""What can go wrong when asking the upstream movie catalog for a page.

The API layer maps each class to one answer: unavailable 503 (with
`Retry-After`), bad response 502, timeout 504, page not found 404.
"""


class CatalogError(Exception):
    """The upstream catalog could not give us the page."""


class CatalogUnavailableError(CatalogError):
    """Failed after retries, or the circuit is open; try again in `retry_after` seconds."""

    def __init__(self, message: str = "The movie catalog is unavailable.", *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))

    def __reduce__(self) -> tuple:
        return (_rebuild_unavailable, (str(self), self.retry_after))


def _rebuild_unavailable(message: str, retry_after: int) -> CatalogUnavailableError:
    return CatalogUnavailableError(message, retry_after=retry_after)


class CatalogBadResponseError(CatalogError):
    """The upstream answered, but not with a page we can use (malformed payload, odd status)."""


class CatalogTimeoutError(CatalogError):
    """The upstream did not answer within the call's deadline."""


class CatalogPageNotFoundError(CatalogError):
    """The page is past the end of the catalog (the upstream answered 404)."""
