"""GraphQL types of the movie catalog, resolved from `movies.types` objects."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import strawberry
from strawberry import relay

from graphql_api.context import Info
from graphql_api.cost import ListSize
from movies import types as catalog
from movies.client import MAX_RESULTS_PER_PAGE


@strawberry.type(description="A movie of the upstream catalog.")
class Movie(relay.Node):
    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, catalog.Movie)

    uuid: UUID
    title: str
    description: str
    genres: list[str] = strawberry.field(description="Genre names, trimmed, in the upstream's order.")

    @classmethod
    def resolve_id(cls, root: Any, *, info: Info) -> str:
        return str(root.uuid)

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        """None for each: the catalog is read by pages, and has no lookup by uuid."""
        return [None for _ in node_ids]


@strawberry.type(description="One page of the movie catalog.")
class MoviePage:
    count: int = strawberry.field(description="Movies in the whole catalog.")
    page: int
    next_page: int | None = strawberry.field(description="The next page's number; null on the last page.")
    previous_page: int | None = strawberry.field(description="The previous page's number; null on the first page.")
    stale: bool = strawberry.field(
        description="True when this is a kept copy served because the catalog is failing right now."
    )
    results: list[Movie] = strawberry.field(
        directives=[ListSize(default_size=MAX_RESULTS_PER_PAGE, max_size=MAX_RESULTS_PER_PAGE)]
    )
