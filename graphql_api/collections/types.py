"""GraphQL types of the collections domain: fields only, no logic."""

from datetime import datetime
from uuid import UUID

import strawberry
import strawberry_django
from django.db.models import Prefetch

from movie_collections.models import Collection, CollectionMovie, CollectionMovieGenre


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
        prefetch_related=[
            Prefetch("genre_links", queryset=CollectionMovieGenre.objects.select_related("genre").order_by("position"))
        ],
        description="Genre names in the order they were given.",
    )
    def genres(self, root: CollectionMovie) -> list[str]:
        return [link.genre.name for link in root.genre_links.all()]


@strawberry_django.type(Collection, name="Collection")
class CollectionType:
    uuid: UUID
    title: str
    description: str
    created_at: datetime
    updated_at: datetime
    movies: list[CollectionMovieType] = strawberry_django.field(description="Movies in the order they were given.")


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
