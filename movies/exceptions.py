"""What can go wrong when asking the upstream movie catalog for a page.

The API maps each class to one answer (`graphql_api.errors`): page not
found 404, unavailable 503 (with `Retry-After`), bad response 502, timeout 504.
"""


class CatalogError(Exception):
    """The upstream catalog could not give us the page."""


class CatalogPageNotFoundError(CatalogError):
    """The page is past the end of the catalog (the upstream answered 404)."""

    def __init__(self, page: int) -> None:
        super().__init__(f"Page {page} is past the end of the catalog.")
        self.page = page


class CatalogUnavailableError(CatalogError):
    """Failed after retries, or the circuit is open; try again in `retry_after` seconds."""

    def __init__(self, message: str = "The movie catalog is unavailable.", *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class CatalogBadResponseError(CatalogError):
    """The upstream answered, but not with a page we can use (malformed payload, odd status)."""


class CatalogTimeoutError(CatalogError):
    """The upstream did not answer within the call's deadline."""
