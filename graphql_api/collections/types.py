"""GraphQL types of the collections domain: fields only, no logic."""

from datetime import datetime
from uuid import UUID

import strawberry
import strawberry_django
from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects

from graphql_api.cost import ListSize
from graphql_api.errors import BadUserInput
from movie_collections.models import Collection, CollectionMovie, CollectionMovieGenre

GENRES_IN_ORDER = Prefetch("genres", queryset=CollectionMovieGenre.objects.order_by("position"))
MOVIES_WITH_GENRES = Prefetch("movies", queryset=CollectionMovie.objects.prefetch_related(GENRES_IN_ORDER))


@strawberry.type(description="A genre and how many of the caller's collection entries name it.")
class GenreCount:
    """Resolved from `movie_collections.selectors.GenreCount`."""

    name: str
    count: int


@strawberry_django.type(CollectionMovie, name="CollectionMovie")
class CollectionMovieType:
    uuid: UUID = strawberry_django.field(field_name="movie_uuid")
    title: str
    description: str

    @strawberry_django.field(
        prefetch_related=[GENRES_IN_ORDER], description="Genre names in the order they were given."
    )
    def genres(self, root: CollectionMovie) -> list[str]:
        return [genre.name for genre in root.genres.all()]


@strawberry_django.type(Collection, name="Collection")
class CollectionType:
    uuid: UUID
    title: str
    description: str
    created_at: datetime
    updated_at: datetime

    @strawberry_django.field(
        prefetch_related=[MOVIES_WITH_GENRES],
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
        self, root: Collection, offset: int = 0, limit: int = settings.MOVIES_PER_COLLECTION_LIMIT
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
        prefetch_related_objects([root], MOVIES_WITH_GENRES)  # a no-op when the query prefetched them
        return root.movies.all()[offset : offset + limit]


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
