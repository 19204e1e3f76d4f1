"""Reads of the movie catalog."""

from dataclasses import dataclass
from uuid import UUID

from movies.cache import cached_page


@dataclass(frozen=True)
class Movie:
    uuid: UUID
    title: str
    description: str
    genres: tuple[str, ...]


@dataclass(frozen=True)
class MoviePage:
    """One page of the catalog; `stale` when it is a kept copy served while the upstream fails."""

    count: int
    page: int
    next_page: int | None
    previous_page: int | None
    stale: bool
    results: list[Movie]


def split_genres(genres: str) -> tuple[str, ...]:
    """The upstream's comma-separated genres as names: trimmed, empty ones dropped."""
    return tuple(name for name in (part.strip() for part in genres.split(",")) if name)


def movie_page(*, page: int, deadline: float | None = None) -> MoviePage:
    """Page `page` (1-based) of the catalog, from cache when possible.

    `deadline`: a `time.monotonic()` instant after which the upstream is no
    longer waited for; by default `MOVIES_API_DEADLINE_SECONDS` from now.
    Raises `ValueError` for a page below 1 and the `movies.exceptions`
    errors when the upstream cannot give the page.
    """
    if page < 1:
        raise ValueError("page must be a positive integer")
    upstream, stale = cached_page(page=page, deadline=deadline)
    return MoviePage(
        count=upstream.count,
        page=page,
        next_page=page + 1 if upstream.has_next else None,
        previous_page=page - 1 if upstream.has_previous else None,
        stale=stale,
        results=[
            Movie(
                uuid=UUID(item["uuid"]),
                title=item["title"],
                description=item["description"],
                genres=split_genres(item["genres"]),
            )
            for item in upstream.results
        ],
    )
