"""The movie catalog: `Query.movies`, one upstream page per page."""

import time
from typing import Any
from uuid import UUID

import strawberry
from django.conf import settings
from strawberry.types import Info

from graphql_api.errors import BadUserInput, NotFound, UpstreamBadResponse, UpstreamTimeout, UpstreamUnavailable
from graphql_api.permissions import require_user
from movies import selectors
from movies.exceptions import (
    CatalogBadResponseError,
    CatalogPageNotFoundError,
    CatalogTimeoutError,
    CatalogUnavailableError,
)


@strawberry.type(description="A movie of the upstream catalog.")
class Movie:
    uuid: UUID
    title: str
    description: str
    genres: list[str] = strawberry.field(description="Genre names, trimmed, in the upstream's order.")


@strawberry.type(description="One page of the movie catalog.")
class MoviePage:
    count: int = strawberry.field(description="Movies in the whole catalog.")
    page: int
    next_page: int | None = strawberry.field(description="The next page's number; null on the last page.")
    previous_page: int | None = strawberry.field(description="The previous page's number; null on the first page.")
    stale: bool = strawberry.field(
        description="True when this is a kept copy served because the catalog is failing right now."
    )
    results: list[Movie]


def request_deadline(info: Info[Any, Any]) -> float:
    """One upstream deadline for the whole request: aliased `movies` fields share it, so they cannot add up."""
    request = info.context.request
    deadline = getattr(request, "movies_deadline", None)
    if deadline is None:
        deadline = time.monotonic() + settings.MOVIES_API_DEADLINE_SECONDS
        request.movies_deadline = deadline
    return deadline


@strawberry.type
class MovieQuery:
    @strawberry.field(
        description=(
            "A page of the third-party movie catalog (10 movies a page). Errors: BAD_USER_INPUT for a page "
            "below 1, NOT_FOUND past the end, UPSTREAM_UNAVAILABLE (with extensions.retryAfter in seconds), "
            "UPSTREAM_BAD_RESPONSE, UPSTREAM_TIMEOUT."
        )
    )
    def movies(self, info: Info, page: int = 1) -> MoviePage:
        require_user(info)
        if page < 1:
            raise BadUserInput([{"field": "page", "code": "min_value", "message": "Must be a positive integer."}])
        try:
            result = selectors.movie_page(page=page, deadline=request_deadline(info))
        except CatalogPageNotFoundError as error:
            raise NotFound(f"Page {page} is past the end of the catalog.") from error
        except CatalogUnavailableError as error:
            raise UpstreamUnavailable(retryAfter=error.retry_after) from error
        except CatalogBadResponseError as error:
            raise UpstreamBadResponse from error
        except CatalogTimeoutError as error:
            raise UpstreamTimeout from error
        return MoviePage(
            count=result.count,
            page=result.page,
            next_page=result.next_page,
            previous_page=result.previous_page,
            stale=result.stale,
            results=[
                Movie(uuid=movie.uuid, title=movie.title, description=movie.description, genres=list(movie.genres))
                for movie in result.results
            ],
        )
