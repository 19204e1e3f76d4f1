"""The movie catalog's domain objects: plain values, shared by the client, the cache and the API."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Movie:
    """A movie as the catalog (or a client putting it in a collection) describes it."""

    uuid: UUID
    title: str
    description: str = ""
    # Genre names in the order given.
    genres: tuple[str, ...] = ()


@dataclass(frozen=True)
class MoviePage:
    """One page of the catalog; `stale` when it is a kept copy served while the upstream fails."""

    page: int
    count: int
    next_page: int | None
    previous_page: int | None
    results: tuple[Movie, ...]
    stale: bool = False


def split_genres(genres: str) -> tuple[str, ...]:
    """The upstream's comma-separated genres as names: trimmed, empty ones dropped."""
    return tuple(name for name in (part.strip() for part in genres.split(",")) if name)
