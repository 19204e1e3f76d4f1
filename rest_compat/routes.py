"""The REST routes of the contract, one `OperationRoute` per method.

Each row: the GraphQL operation, its variables from the request, the REST
body from its data, the status on success.
"""

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from rest_compat.serializers import (
    AccessTokenSerializer,
    CollectionCreatedSerializer,
    CollectionCreateSerializer,
    CollectionDetailSerializer,
    CollectionListSerializer,
    CollectionUpdateSerializer,
    CredentialsSerializer,
    RefreshSerializer,
    TokenPairSerializer,
    validated,
)
from rest_compat.views import OperationRoute

# REST lists a user's collections in one answer, up to this many (newest first).
REST_COLLECTIONS_LIMIT = 1_000


def credentials(request: Request) -> dict[str, Any]:
    return validated(CredentialsSerializer, request.data)


def refresh(request: Request) -> dict[str, Any]:
    return {"refreshToken": validated(RefreshSerializer, request.data)["refresh_token"]}


def token_pair(data: dict[str, Any], field: str) -> dict[str, str]:
    tokens = data[field]
    return {"access_token": tokens["accessToken"], "refresh_token": tokens["refreshToken"]}


def collection_uuid(request: Request, collection_uuid: Any) -> dict[str, Any]:
    return {"uuid": str(collection_uuid)}


def collection_create_input(request: Request) -> dict[str, Any]:
    return {"input": validated(CollectionCreateSerializer, request.data)}


def collection_update_input(request: Request, collection_uuid: Any) -> dict[str, Any]:
    return {"uuid": str(collection_uuid), "input": validated(CollectionUpdateSerializer, request.data)}


def collection_list_body(data: dict[str, Any]) -> dict[str, Any]:
    collections = [
        {"title": c["title"], "uuid": c["uuid"], "description": c["description"]}
        for c in data["collections"]["results"]
    ]
    genres = ", ".join(genre["name"] for genre in data["favouriteGenres"])
    return {"is_success": True, "data": {"collections": collections, "favourite_genres": genres}}


def collection_body(collection: dict[str, Any] | None) -> dict[str, Any]:
    if collection is None:
        raise NotFound("No such collection.")
    movies = [{**movie, "genres": ",".join(movie["genres"])} for movie in collection["movies"]]
    return {**collection, "movies": movies}


REGISTER = OperationRoute(
    "register",
    variables=credentials,
    to_body=lambda data: token_pair(data, "register"),
    status=201,
    request_serializer=CredentialsSerializer,
    response_serializer=TokenPairSerializer,
    summary="Create an account and answer its tokens.",
)
OBTAIN_TOKEN = OperationRoute(
    "obtain_token",
    variables=credentials,
    to_body=lambda data: token_pair(data, "obtainToken"),
    request_serializer=CredentialsSerializer,
    response_serializer=TokenPairSerializer,
    summary="Exchange a username and password for tokens.",
)
REFRESH_TOKEN = OperationRoute(
    "refresh_token",
    variables=refresh,
    to_body=lambda data: {"access_token": data["refreshToken"]["accessToken"]},
    request_serializer=RefreshSerializer,
    response_serializer=AccessTokenSerializer,
    summary="Exchange a refresh token for a new access token.",
)
COLLECTION_LIST = OperationRoute(
    "collection_list",
    variables=lambda request: {"limit": REST_COLLECTIONS_LIMIT},
    to_body=collection_list_body,
    response_serializer=CollectionListSerializer,
    summary="The caller's collections, newest first, and their top 3 genres.",
)
COLLECTION_CREATE = OperationRoute(
    "collection_create",
    variables=collection_create_input,
    to_body=lambda data: {"collection_uuid": data["createCollection"]["uuid"]},
    status=201,
    request_serializer=CollectionCreateSerializer,
    response_serializer=CollectionCreatedSerializer,
    summary="Create a collection.",
)
COLLECTION_DETAIL = OperationRoute(
    "collection_detail",
    variables=collection_uuid,
    to_body=lambda data: collection_body(data["collection"]),
    response_serializer=CollectionDetailSerializer,
    summary="One of the caller's collections with its movies.",
)
COLLECTION_UPDATE = OperationRoute(
    "collection_update",
    variables=collection_update_input,
    to_body=lambda data: collection_body(data["updateCollection"]),
    request_serializer=CollectionUpdateSerializer,
    response_serializer=CollectionDetailSerializer,
    summary="Change what is given; `movies`, when given, replaces the list.",
)
COLLECTION_DELETE = OperationRoute(
    "collection_delete", variables=collection_uuid, status=204, summary="Delete a collection."
)
