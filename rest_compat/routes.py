"""The REST routes of the contract, one `OperationRoute` per method.

Each row: the GraphQL operation, its variables from the request, the
serializer that renders its data as the REST body, the status on success
(and what the OpenAPI document says of it).
"""

import re
from uuid import UUID

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from movie_collections.selectors import collection_version
from rest_compat.serializers import (
    AccessTokenSerializer,
    CollectionCreatedSerializer,
    CollectionCreateSerializer,
    CollectionDetailSerializer,
    CollectionListSerializer,
    CollectionUpdateSerializer,
    CredentialsSerializer,
    MoviesPageSerializer,
    RefreshSerializer,
    RegistrationSerializer,
    RequestCountResetSerializer,
    RequestCountSerializer,
    TokenPairSerializer,
    validated,
)
from rest_compat.views import Data, OperationRoute

# REST lists a user's collections in one answer, up to this many (newest first).
REST_COLLECTIONS_LIMIT = 1_000
# GraphQL's Int is 32-bit; a page beyond it is past the end of any catalog.
MAX_PAGE = 2**31 - 1
PAGE_PATTERN = re.compile(r"[0-9]+")
STALE_HEADER = "X-Cache-Stale"
NOT_FOUND = "No such collection."
UUID_PATTERN = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
ETAG_PATTERN = re.compile(r'"(?P<version>[1-9][0-9]{0,9})"')


# --- Accounts


def registration(request: Request) -> Data:
    return validated(RegistrationSerializer, request.data)


def credentials(request: Request) -> Data:
    return validated(CredentialsSerializer, request.data)


def refresh_variables(request: Request) -> Data:
    return {"refreshToken": validated(RefreshSerializer, request.data)["refresh_token"]}


REGISTER = OperationRoute(
    "register",
    variables=registration,
    serializer=TokenPairSerializer,
    result="register",
    status=201,
    request_serializer=RegistrationSerializer,
    summary="Create an account and answer its tokens.",
    statuses={400: "The username or the password is refused (`errors` says why), or the username is taken."},
)
OBTAIN_TOKEN = OperationRoute(
    "obtain_token",
    variables=credentials,
    serializer=TokenPairSerializer,
    result="obtainToken",
    request_serializer=CredentialsSerializer,
    summary="Exchange a username and password for tokens.",
    statuses={401: "The username and password do not match an active user."},
)
BAD_REFRESH_TOKEN = "The refresh token is malformed, expired or revoked (used before, or logged out)."  # noqa: S105
REFRESH_TOKEN = OperationRoute(
    "refresh_token",
    variables=refresh_variables,
    serializer=AccessTokenSerializer,
    result="refreshToken",
    request_serializer=RefreshSerializer,
    summary="Exchange a refresh token for a new access token and a new refresh token.",
    description="The refresh token sent is revoked: used again, it answers 401.",
    statuses={401: BAD_REFRESH_TOKEN},
)
LOGOUT = OperationRoute(
    "logout",
    variables=refresh_variables,
    status=204,
    request_serializer=RefreshSerializer,
    summary="Log out: revoke the refresh token (its access tokens expire on their own).",
    statuses={401: BAD_REFRESH_TOKEN},
)


# --- Collections


def parse_uuid(segment: str) -> str:
    """The collection uuid of the URL; an unknown, another user's and a malformed one are all 404 alike."""
    if not UUID_PATTERN.fullmatch(segment):
        raise NotFound(NOT_FOUND)
    return str(UUID(segment))


def etag(version: int) -> str:
    """The entity tag of a collection's version (one more with every change)."""
    return f'"{version}"'


def expected_version(request: Request) -> int | None:
    """The version an `If-Match` asks to change (its one strong entity tag); None without one or for `*`.

    A tag that is not one of ours matches no version: the change answers 412.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    match = ETAG_PATTERN.fullmatch(header)
    return int(match["version"]) if match else 0


def collection_variables(request: Request, collection_uuid: str) -> Data:
    return {"uuid": parse_uuid(collection_uuid)}


def collection_change_variables(request: Request, collection_uuid: str) -> Data:
    return {"uuid": parse_uuid(collection_uuid), "expectedVersion": expected_version(request)}


def collection_create_input(request: Request) -> Data:
    return {"input": validated(CollectionCreateSerializer, request.data)}


def collection_update_input(request: Request, collection_uuid: str) -> Data:
    input_ = validated(CollectionUpdateSerializer, request.data)
    return {**collection_change_variables(request, collection_uuid), "input": input_}


def not_modified(request: Request, collection_uuid: str) -> Response | None:
    """304 when the client holds the current version (`If-None-Match`): nothing else is read."""
    tags = request.headers.get("If-None-Match")
    if tags is None:
        return None
    version = collection_version(owner=request.user, uuid=parse_uuid(collection_uuid))
    if version is not None and etag(version) in [tag.strip().removeprefix("W/") for tag in tags.split(",")]:
        return Response(status=304, headers={"ETag": etag(version)})
    return None


def version_header(data: Data) -> dict[str, str]:
    collection = next(iter(data.values()))
    return {"ETag": etag(collection["version"])} if collection else {}


COLLECTION_UUID = OpenApiParameter(
    "collection_uuid",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="A malformed uuid answers 404, as an unknown one or another user's collection does.",
)
ETAG_SCHEMA = {"type": "string", "pattern": '^"[1-9][0-9]{0,9}"$'}
ETAG = OpenApiParameter(
    "ETag",
    ETAG_SCHEMA,
    OpenApiParameter.HEADER,
    required=True,
    response=[200, 304],
    description="The collection's version (one more with every change), to send back in `If-Match`/`If-None-Match`.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Entity tags (`ETag`) the client holds, comma-separated: 304 when one is the current version.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The `ETag` read: the change is made only if the collection is still at that version (412 otherwise); "
    "`*` matches any.",
)
CHANGED = "`If-Match` names another version than the collection's: it changed since it was read."


def collection_list_variables(request: Request) -> Data:
    return {"limit": REST_COLLECTIONS_LIMIT}


COLLECTION_LIST = OperationRoute(
    "collection_list",
    variables=collection_list_variables,
    serializer=CollectionListSerializer,
    summary="The caller's collections, newest first, and their top 3 genres.",
)
COLLECTION_CREATE = OperationRoute(
    "collection_create",
    variables=collection_create_input,
    serializer=CollectionCreatedSerializer,
    result="createCollection",
    status=201,
    request_serializer=CollectionCreateSerializer,
    summary="Create a collection.",
)
COLLECTION_DETAIL = OperationRoute(
    "collection_detail",
    variables=collection_variables,
    shortcut=not_modified,
    serializer=CollectionDetailSerializer,
    result="collection",
    not_found=NOT_FOUND,
    headers=version_header,
    summary="One of the caller's collections with its movies.",
    description=(
        "Answers its version as `ETag`; with `If-None-Match` holding it, 304 and no body (nothing else is read)."
    ),
    parameters=[COLLECTION_UUID, IF_NONE_MATCH, ETAG],
    statuses={304: "Not modified: the client's `If-None-Match` holds the current version. No body."},
)
COLLECTION_UPDATE = OperationRoute(
    "collection_update",
    variables=collection_update_input,
    serializer=CollectionDetailSerializer,
    result="updateCollection",
    headers=version_header,
    request_serializer=CollectionUpdateSerializer,
    summary="Change what is given; `movies`, when given, replaces the list.",
    description=(
        "With `If-Match` (the `ETag` read), changes only that version: 412 when the collection changed "
        "since. Answers the new version as `ETag`."
    ),
    parameters=[COLLECTION_UUID, IF_MATCH, ETAG],
    statuses={412: CHANGED},
)
COLLECTION_DELETE = OperationRoute(
    "collection_delete",
    variables=collection_change_variables,
    status=204,
    summary="Delete a collection.",
    description="With `If-Match` (the `ETag` read), deletes only that version: 412 when the collection changed.",
    parameters=[COLLECTION_UUID, IF_MATCH],
    statuses={412: CHANGED},
)


# --- Movies


def page_variables(request: Request) -> Data:
    """`?page=N` (default 1); 400 unless N is a positive integer."""
    raw = request.query_params.get("page")
    if raw is None:
        return {"page": 1}
    if not PAGE_PATTERN.fullmatch(raw) or int(raw) < 1:
        raise ValidationError({"page": ValidationError("Must be a positive integer.", code="invalid")})
    if int(raw) > MAX_PAGE:
        raise NotFound(f"Page {raw} is past the end of the catalog.")
    return {"page": int(raw)}


def stale_header(data: Data) -> dict[str, str]:
    return {STALE_HEADER: "true"} if data["movies"]["stale"] else {}


MOVIES_PAGE = OperationRoute(
    "movies_page",
    variables=page_variables,
    serializer=MoviesPageSerializer,
    result="movies",
    headers=stale_header,
    summary="A page of the third-party movie catalog, 10 movies a page.",
    description=(
        "Pages of the upstream catalog are cached. While the upstream fails, a copy fetched before is "
        f"served with the header `{STALE_HEADER}: true`. Without one: 502 for a malformed upstream payload, "
        "503 (with `Retry-After`) when the upstream is unavailable or its circuit is open, 504 when it does "
        "not answer in time. 400 when `page` is not a positive integer, 404 past the last page."
    ),
    parameters=[
        OpenApiParameter(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            OpenApiParameter.QUERY,
            description="Page number, from 1, in decimal digits.",
        ),
        OpenApiParameter(
            STALE_HEADER,
            {"type": "string", "enum": ["true"]},
            OpenApiParameter.HEADER,
            response=[200],
            description="Present when the upstream failed and a copy fetched before is served.",
        ),
    ],
    statuses={
        400: "`page` is not a positive integer.",
        404: "The page is past the end of the catalog.",
        502: "The upstream answered a malformed payload or an unexpected status.",
        503: "The upstream is unavailable after retries, or its circuit is open (`Retry-After`), or the request "
        "ran out of time.",
        504: "The upstream did not answer in time.",
    },
)


# --- Request counter

REQUEST_COUNT = OperationRoute(
    "request_count",
    serializer=RequestCountSerializer,
    summary="Requests served by the whole deployment since the last reset, this one included.",
    statuses={503: "The request counter's store cannot be read."},
)
REQUEST_COUNT_RESET = OperationRoute(
    "request_count_reset",
    serializer=RequestCountResetSerializer,
    summary="Set the request count to zero.",
    statuses={503: "The request counter's store cannot be written."},
)
