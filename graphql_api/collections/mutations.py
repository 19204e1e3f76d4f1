"""Writes of the caller's collections: resolvers convert the inputs once and call services."""

from typing import Annotated
from uuid import UUID

import strawberry

from graphql_api.collections.types import CollectionCreateInput, CollectionType, CollectionUpdateInput, MovieInput
from graphql_api.context import Info
from graphql_api.cost import Cost
from graphql_api.errors import BadUserInput
from graphql_api.permissions import authenticated
from movie_collections import services
from movies.types import Movie

UPDATABLE_FIELDS = ("title", "description", "movies")


def to_movies(movies: list[MovieInput]) -> list[Movie]:
    return [
        Movie(uuid=movie.uuid, title=movie.title, description=movie.description, genres=tuple(movie.genres or ()))
        for movie in movies
    ]


def given(value: object) -> object:
    """None for a field the input leaves out (the services' "unchanged")."""
    return None if value is strawberry.UNSET else value


@strawberry.type
class CollectionMutation:
    @strawberry.mutation(extensions=authenticated(), directives=[Cost(weight=10)])
    def create_collection(self, info: Info, input: CollectionCreateInput) -> CollectionType:
        return services.collection_create(
            owner=info.context.user, title=input.title, description=input.description, movies=to_movies(input.movies)
        )

    @strawberry.mutation(
        description="Change what the input gives; what is left out stays.",
        extensions=authenticated(),
        directives=[Cost(weight=10)],
    )
    def update_collection(
        self,
        info: Info,
        uuid: UUID,
        input: CollectionUpdateInput,
        expected_version: Annotated[
            int | None, strawberry.argument(description="The version read; another answers CONFLICT, changes nothing.")
        ] = None,
    ) -> CollectionType:
        if nulls := [name for name in UPDATABLE_FIELDS if getattr(input, name) is None]:
            message = "This field may not be null."
            raise BadUserInput([{"field": name, "code": "null", "message": message} for name in nulls])
        movies = given(input.movies)
        return services.collection_update(
            owner=info.context.user,
            uuid=uuid,
            title=given(input.title),
            description=given(input.description),
            movies=None if movies is None else to_movies(movies),
            expected_version=expected_version,
        )

    @strawberry.mutation(
        description="Delete a collection and its movies; answers true.",
        extensions=authenticated(),
        directives=[Cost(weight=10)],
    )
    def delete_collection(
        self,
        info: Info,
        uuid: UUID,
        expected_version: Annotated[
            int | None, strawberry.argument(description="The version read; another answers CONFLICT, deletes nothing.")
        ] = None,
    ) -> bool:
        services.collection_delete(owner=info.context.user, uuid=uuid, expected_version=expected_version)
        return True
