"""GraphQL types of the collections domain: fields only, no logic."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from django.conf import settings
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from strawberry import relay
from strawberry.types.nodes import SelectedField

from graphql_api.context import Info
from graphql_api.cost import ListSize
from graphql_api.errors import BadUserInput
from graphql_api.nodes import nodes_in_order
from movie_collections import selectors
from movie_collections.models import Collection, CollectionMovie, CollectionMovieGenre

# Prefetched into plain lists (`to_attr`): reading them builds no queryset per entry.
GENRES_IN_ORDER = Prefetch("genres", queryset=CollectionMovieGenre.objects.order_by("position"), to_attr="genre_list")
MOVIES_WITH_GENRES = Prefetch(
    "movies",
    queryset=CollectionMovie.objects.order_by("position").prefetch_related(GENRES_IN_ORDER),
    to_attr="movie_list",
)


@strawberry.type(description="A genre and how many of the caller's collection entries name it.")
class GenreCount:
    """Resolved from `movie_collections.selectors.GenreCount`."""

    name: str
    count: int


@strawberry.type(name="CollectionMovie", description="A movie in one collection: its `id` is this entry's.")
class CollectionMovieType(relay.Node):
    """Resolved from a `CollectionMovie` that `Collection.movies` prefetched with its genres."""

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, CollectionMovie)

    uuid: UUID = strawberry.field(resolver=lambda root: root.movie_uuid, description="The catalog movie's uuid.")
    title: str
    description: str

    @strawberry.field(description="Genre names in the order they were given.")
    def genres(self, root: strawberry.Parent[CollectionMovie]) -> list[str]:
        return [genre.name for genre in root.genre_list]

    @classmethod
    def resolve_id(cls, root: CollectionMovie, *, info: Info) -> str:
        return str(root.pk)

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        entries = CollectionMovie.objects.prefetch_related(GENRES_IN_ORDER)
        owner = info.context.user
        return nodes_in_order(
            node_ids, int, lambda ids: selectors.collection_movies_by_id(owner=owner, ids=ids, queryset=entries)
        )


@strawberry.type(name="Collection")
class CollectionType(relay.Node):
    """Resolved from a `Collection` (its movies prefetched by `prefetch_movies` when asked for)."""

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, Collection)

    uuid: UUID
    title: str
    description: str
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(
        description="One more with every change; send it back as `expectedVersion` to change this version only."
    )

    @strawberry.field(
        description=(
            "Movies in the order they were given: `limit` of them from `offset` on "
            f"(by default all, at most {settings.MOVIES_PER_COLLECTION_LIMIT})."
        ),
        directives=[
            ListSize(
                default_size=settings.MOVIES_PER_COLLECTION_LIMIT,
                max_size=settings.MOVIES_PER_COLLECTION_LIMIT,
                slicing_arguments=["limit"],
            )
        ],
    )
    def movies(
        self,
        root: strawberry.Parent[Collection],
        offset: int = 0,
        limit: int = settings.MOVIES_PER_COLLECTION_LIMIT,
    ) -> list[CollectionMovieType]:
        most = settings.MOVIES_PER_COLLECTION_LIMIT
        problems = [
            {"field": name, "code": "min_value", "message": f"Ensure {name} is at least 0."}
            for name, value in (("offset", offset), ("limit", limit))
            if value < 0
        ]
        if limit > most:
            problems.append({"field": "limit", "code": "max_value", "message": f"Ensure limit is at most {most}."})
        if problems:
            raise BadUserInput(problems)
        if not hasattr(root, MOVIES_WITH_GENRES.to_attr):  # a mutation's answer, or a field that did not ask
            prefetch_related_objects([root], MOVIES_WITH_GENRES)
        return getattr(root, MOVIES_WITH_GENRES.to_attr)[offset : offset + limit]

    @classmethod
    def resolve_id(cls, root: Collection, *, info: Info) -> str:
        return str(root.uuid)

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        owner = info.context.user
        return nodes_in_order(node_ids, UUID, lambda uuids: selectors.collections_by_uuid(owner=owner, uuids=uuids))


# The columns of a collection each field reads.
COLUMNS = {"id": "uuid", "uuid": "uuid", "title": "title", "description": "description", "createdAt": "created_at"}
COLUMNS |= {"updatedAt": "updated_at", "version": "version"}


def shaped(collections: QuerySet[Collection], info: Info) -> QuerySet[Collection]:
    """`collections` reading only the columns the field being resolved asks for, and fetching their
    movies and genres along (two queries for them all) when it asks for them."""
    asked = selected(info)
    collections = collections.only("id", *(COLUMNS[name] for name in asked if name in COLUMNS))
    return collections.prefetch_related(MOVIES_WITH_GENRES) if "movies" in asked else collections


def selected(info: Info) -> set[str]:
    """The names of the fields the field being resolved selects, fragments written out."""
    return {child.name for field in info.selected_fields for child in _children(field)}


def _children(node: Any) -> list[SelectedField]:
    """The fields directly below `node`, fragments written out."""
    children = []
    for selection in node.selections:
        if isinstance(selection, SelectedField):
            children.append(selection)
        else:  # a fragment spread or an inline fragment
            children.extend(_children(selection))
    return children


@strawberry.type(name="OffsetPaginationInfo")
class PageInfo:
    offset: int
    limit: int | None


@strawberry.input(name="OffsetPaginationInput")
class PageInput:
    offset: int = 0
    limit: int | None = strawberry.UNSET


@strawberry.type(name="CollectionOffsetPaginated")
class CollectionPage:
    """One page of the caller's collections; nothing is read that the query does not ask for."""

    collections: strawberry.Private[QuerySet[Collection]]
    page_info: PageInfo

    @strawberry.field(description="Total count of existing results.")
    def total_count(self) -> int:
        return self.collections.count()

    @strawberry.field(description="List of paginated results.")
    def results(self, info: Info) -> list[CollectionType]:
        start, limit = self.page_info.offset, self.page_info.limit
        return list(shaped(self.collections, info)[start : start + limit])


@strawberry.input
class MovieInput:
    uuid: UUID
    title: str
    description: str = ""
    genres: list[str] | None = None


@strawberry.input
class CollectionCreateInput:
    title: str
    description: str = ""
    movies: list[MovieInput] = strawberry.field(default_factory=list)


@strawberry.input(description="What is left out stays; `movies`, when given, replaces the list.")
class CollectionUpdateInput:
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    movies: list[MovieInput] | None = strawberry.UNSET
