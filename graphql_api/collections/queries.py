"""Reads of the caller's collections: resolvers call selectors."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

import strawberry
import strawberry_django
from django.conf import settings
from django.db.models import QuerySet
from strawberry.extensions import FieldExtension
from strawberry_django.optimizer import optimize
from strawberry_django.pagination import OffsetPaginated

from graphql_api.collections.types import CollectionType, GenreCount
from graphql_api.context import Info
from graphql_api.cost import Cost, ListSize
from graphql_api.errors import BadUserInput
from graphql_api.permissions import authenticated
from movie_collections import selectors
from movie_collections.models import Collection

PAGE = settings.STRAWBERRY_DJANGO


class NonNegativeOffset(FieldExtension):
    """Refuses a negative `pagination.offset` (the ORM cannot slice with one)."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        pagination = kwargs.get("pagination")
        if pagination and pagination.offset < 0:
            message = "Ensure offset is at least 0."
            raise BadUserInput([{"field": "pagination.offset", "code": "min_value", "message": message}])
        return next_(source, info, **kwargs)


@strawberry.type
class CollectionQuery:
    @strawberry_django.offset_paginated(
        OffsetPaginated[CollectionType],
        description=(
            f"The caller's collections, newest first: {PAGE['PAGINATION_DEFAULT_LIMIT']} a page unless "
            f"`pagination.limit` says otherwise, at most {PAGE['PAGINATION_MAX_LIMIT']}."
        ),
        extensions=[*authenticated(), NonNegativeOffset()],
        directives=[
            ListSize(
                default_size=PAGE["PAGINATION_DEFAULT_LIMIT"],
                max_size=PAGE["PAGINATION_MAX_LIMIT"],
                slicing_arguments=["pagination.limit"],
                sized_fields=["results"],
            )
        ],
    )
    def collections(self, info: Info) -> QuerySet[Collection]:
        return selectors.collection_list(owner=info.context.user)

    @strawberry.field(
        description="One of the caller's collections; null when not found or not the caller's.",
        extensions=authenticated(),
    )
    def collection(self, info: Info, uuid: UUID) -> CollectionType | None:
        return selectors.collection_get(
            owner=info.context.user, uuid=uuid, queryset=optimize(Collection.objects.all(), info)
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
