"""Read resolvers: check the caller, then call selectors."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry_django.optimizer import optimize
from strawberry_django.pagination import OffsetPaginated

from graphql_api.errors import BadUserInput
from graphql_api.permissions import require_user
from graphql_api.types import CollectionType, GenreCount, UserType
from movie_collections import selectors
from movie_collections.models import Collection

MAX_FAVOURITE_GENRES = 20


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
    @strawberry.field(description="The authenticated caller.")
    def me(self, info: Info) -> UserType:
        user = require_user(info)
        return UserType(username=user.username, date_joined=user.date_joined)

    @strawberry_django.offset_paginated(
        OffsetPaginated[CollectionType],
        description="The caller's collections, newest first.",
        extensions=[NonNegativeOffset()],
    )
    def collections(self, info: Info) -> QuerySet[Collection]:
        return selectors.collection_list(owner=require_user(info))

    @strawberry.field(description="One of the caller's collections; null when not found or not the caller's.")
    def collection(self, info: Info, uuid: UUID) -> CollectionType | None:
        queryset = selectors.collection_get(owner=require_user(info), uuid=uuid)
        return optimize(queryset, info).first()

    @strawberry.field(description="The caller's most frequent genres over all their collections.")
    def favourite_genres(self, info: Info, limit: int = selectors.DEFAULT_FAVOURITE_GENRES) -> list[GenreCount]:
        user = require_user(info)
        if not 0 <= limit <= MAX_FAVOURITE_GENRES:
            message = f"Ensure limit is between 0 and {MAX_FAVOURITE_GENRES}."
            raise BadUserInput([{"field": "limit", "code": "invalid", "message": message}])
        return [
            GenreCount(name=genre.name, count=genre.count)
            for genre in selectors.favourite_genres(owner=user, limit=limit)
        ]
