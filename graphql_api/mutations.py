"""Write resolvers: check the caller, call services, turn their errors into GraphQL errors."""

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import strawberry
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from strawberry.types import Info

from accounts import services as accounts
from accounts.throttling import Throttled, auth_attempt_throttle
from graphql_api.errors import BadUserInput, NotFound, RateLimited, Unauthenticated
from graphql_api.permissions import require_user
from graphql_api.types import AccessToken, AuthTokens, CollectionCreateInput, CollectionType, CollectionUpdateInput
from movie_collections import services
from movie_collections.services import MovieInput


@contextmanager
def service_errors() -> Iterator[None]:
    """Map a service's Django errors to the API's error codes."""
    try:
        yield
    except ValidationError as error:
        raise BadUserInput.from_validation_error(error) from error
    except ObjectDoesNotExist as error:
        raise NotFound("No such collection.") from error
    except accounts.InvalidCredentials as error:
        raise Unauthenticated("The credentials or the token are not valid.") from error


def _throttle(info: Info) -> None:
    try:
        auth_attempt_throttle(info.context.request)
    except Throttled as error:
        raise RateLimited(str(error), retryAfter=error.retry_after) from error


def _movies(movies: list | None) -> list[MovieInput] | None:
    if movies is None:
        return None
    return [MovieInput(uuid=m.uuid, title=m.title, description=m.description, genres=m.genres or ()) for m in movies]


def _null_fields(data: CollectionUpdateInput) -> list[dict[str, str]]:
    names = ("title", "description", "movies")
    return [
        {"field": name, "code": "null", "message": "This field may not be null."}
        for name in names
        if getattr(data, name) is None
    ]


def _given(value: object) -> object:
    return None if value is strawberry.UNSET else value


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Create an account and answer its tokens.")
    def register(self, info: Info, username: str, password: str) -> AuthTokens:
        _throttle(info)
        with service_errors():
            user = accounts.user_register(username=username, password=password)
        tokens = accounts.tokens_for_user(user=user)
        return AuthTokens(access_token=tokens.access_token, refresh_token=tokens.refresh_token)

    @strawberry.mutation(description="Exchange a username and password for tokens.")
    def obtain_token(self, info: Info, username: str, password: str) -> AuthTokens:
        _throttle(info)
        with service_errors():
            tokens = accounts.tokens_obtain(username=username, password=password)
        return AuthTokens(access_token=tokens.access_token, refresh_token=tokens.refresh_token)

    @strawberry.mutation(description="Exchange a refresh token for a new access token.")
    def refresh_token(self, refresh_token: str) -> AccessToken:
        # Not throttled: a refresh token cannot be guessed, and SPAs refresh often.
        with service_errors():
            return AccessToken(access_token=accounts.access_token_refresh(refresh_token=refresh_token))


@strawberry.type
class CollectionMutation:
    @strawberry.mutation
    def create_collection(self, info: Info, input: CollectionCreateInput) -> CollectionType:
        user = require_user(info)
        with service_errors():
            return services.collection_create(
                owner=user, title=input.title, description=input.description, movies=_movies(input.movies) or ()
            )

    @strawberry.mutation(description="Change what the input gives; what is left out stays.")
    def update_collection(self, info: Info, uuid: UUID, input: CollectionUpdateInput) -> CollectionType:
        user = require_user(info)
        if null_fields := _null_fields(input):
            raise BadUserInput(null_fields)
        with service_errors():
            return services.collection_update(
                owner=user,
                uuid=uuid,
                title=_given(input.title),
                description=_given(input.description),
                movies=_movies(_given(input.movies)),
            )

    @strawberry.mutation(description="Delete a collection and its movies; answers true.")
    def delete_collection(self, info: Info, uuid: UUID) -> bool:
        user = require_user(info)
        with service_errors():
            services.collection_delete(owner=user, uuid=uuid)
        return True
