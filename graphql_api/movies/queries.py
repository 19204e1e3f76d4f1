"""`Query.movies`: the catalog, one upstream page per page."""

import strawberry

from graphql_api.context import Info
from graphql_api.cost import Cost
from graphql_api.movies.types import MoviePage
from graphql_api.permissions import authenticated
from movies import selectors


@strawberry.type
class MovieQuery:
    @strawberry.field(
        description=(
            "A page of the third-party movie catalog (10 movies a page). Errors: BAD_USER_INPUT for a page "
            "below 1, NOT_FOUND past the end, UPSTREAM_UNAVAILABLE (with extensions.retryAfter in seconds), "
            "UPSTREAM_BAD_RESPONSE, UPSTREAM_TIMEOUT."
        ),
        extensions=authenticated(),
        directives=[Cost(weight=10)],
    )
    def movies(self, info: Info, page: int = 1) -> MoviePage:
        return selectors.movie_page(page=page, deadline=info.context.movies_deadline)
