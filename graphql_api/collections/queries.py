"""Reads of the caller's collections: resolvers call selectors."""

from uuid import UUID

import strawberry

from graphql_api.collections.types import (
    CollectionPage,
    CollectionType,
    GenreCount,
    PageInfo,
    PageInput,
    shaped,
)
from graphql_api.context import Info
from graphql_api.cost import Cost, ListSize
from graphql_api.errors import BadUserInput
from graphql_api.permissions import authenticated
from movie_collections import selectors
from movie_collections.models import Collection

# A page of collections: this many unless the query asks for another number, never more than the most.
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@strawberry.type
class CollectionQuery:
    @strawberry.field(
        description=(
            f"The caller's collections, newest first: {PAGE_SIZE} a page unless `pagination.limit` says "
            f"otherwise, at most {MAX_PAGE_SIZE}."
        ),
        extensions=authenticated(),
        directives=[
            ListSize(
                default_size=PAGE_SIZE,
                max_size=MAX_PAGE_SIZE,
                slicing_arguments=["pagination.limit"],
                sized_fields=["results"],
            )
        ],
    )
    def collections(self, info: Info, pagination: PageInput | None = strawberry.UNSET) -> CollectionPage:
        offset, limit = (pagination.offset, pagination.limit) if pagination else (0, None)
        if offset < 0:
            message = "Ensure offset is at least 0."
            raise BadUserInput([{"field": "pagination.offset", "code": "min_value", "message": message}])
        # No limit asks for a page of the default size; a negative or too large one, for the largest.
        if limit is None or limit is strawberry.UNSET:
            limit = PAGE_SIZE
        elif not 0 <= limit <= MAX_PAGE_SIZE:
            limit = MAX_PAGE_SIZE
        page = PageInfo(offset=offset, limit=limit)
        return CollectionPage(collections=selectors.collection_list(owner=info.context.user), page_info=page)

    @strawberry.field(
        description="One of the caller's collections; null when not found or not the caller's.",
        extensions=authenticated(),
    )
    def collection(self, info: Info, uuid: UUID) -> CollectionType | None:
        return selectors.collection_get(
            owner=info.context.user, uuid=uuid, queryset=shaped(Collection.objects.all(), info)
        )

    @strawberry.field(
        description="The caller's most frequent genres over all their collections.",
        extensions=authenticated(),
        directives=[
            Cost(weight=5),
            ListSize(
                default_size=selectors.DEFAULT_FAVOURITE_GENRES,
                max_size=selectors.MAX_FAVOURITE_GENRES,
                slicing_arguments=["limit"],
            ),
        ],
    )
    def favourite_genres(self, info: Info, limit: int = selectors.DEFAULT_FAVOURITE_GENRES) -> list[GenreCount]:
        return selectors.favourite_genres(owner=info.context.user, limit=limit)
