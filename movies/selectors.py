"""Reads of the movie catalog."""

from django.core.exceptions import ValidationError

from movies.cache import cached_page
from movies.types import MoviePage


def movie_page(*, page: int, deadline: float | None = None) -> MoviePage:
    """Page `page` (1-based) of the catalog, from cache when possible.

    `deadline`: a `time.monotonic()` instant after which the upstream is no
    longer waited for; by default `MOVIES_API_DEADLINE_SECONDS` from now.
    Raises `ValidationError` for a page below 1 and the `movies.exceptions`
    errors when the upstream cannot give the page.
    """
    if page < 1:
        raise ValidationError({"page": ValidationError("Must be a positive integer.", code="min_value")})
    return cached_page(page=page, deadline=deadline)
