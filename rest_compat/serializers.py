"""Shapes of the REST bodies, both ways; drf-spectacular documents the REST API from them.

Request serializers check JSON types only and convert the REST wire form to
GraphQL variables (for example `genres: "Drama,Comedy"` to a list). Business
rules (blank titles, lengths, duplicates) live in the services, shared by both
faces; a field's `constraints` describe them in the OpenAPI document only
(`rest_compat.constraints`). Response serializers render an operation's data
as the REST body.
"""

from collections.abc import Callable
from typing import Any

from django.urls import get_script_prefix
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rest_compat import constraints

RESET_MESSAGE = "request count reset successfully"


class DocumentedConstraints:
    """A field whose `constraints` (JSON Schema keywords) tell the OpenAPI document what the services enforce."""

    def __init__(self, *, constraints: Callable[[], dict[str, Any]] | None = None, **kwargs: Any) -> None:
        self.constraints = constraints
        super().__init__(**kwargs)


class StrictCharField(DocumentedConstraints, serializers.CharField):
    """A JSON string, nothing converted to one (DRF would accept numbers)."""

    default_error_messages = {"invalid": "Must be a string."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    default_error_messages = {"invalid": "Must be a valid UUID."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CredentialsSerializer(serializers.Serializer):
    username = StrictCharField()
    password = StrictCharField()


class RegistrationSerializer(serializers.Serializer):
    username = StrictCharField(
        constraints=constraints.username,
        help_text=(
            "Letters and digits of any script and `_`, `.`, `@`, `+`, `-` (Django's username validator), "
            "after NFKC normalisation (fullwidth letters are plain ones); at most 150 characters; not taken."
        ),
    )
    password = StrictCharField(
        constraints=constraints.password,
        help_text=(
            "At least 8 characters, not only digits; also refused when too like the username or a common "
            "password (Django's password validators)."
        ),
    )


class RefreshSerializer(serializers.Serializer):
    refresh_token = StrictCharField()


TITLE_HELP = "Not blank (something visible: not only spaces or zero-width characters); no NUL."


class MovieSerializer(serializers.Serializer):
    uuid = StrictUUIDField(help_text="Once per collection.")
    title = StrictCharField(constraints=constraints.title, help_text=TITLE_HELP)
    description = StrictCharField(required=False, default="", constraints=constraints.description)
    genres = StrictCharField(
        required=False,
        default="",
        constraints=constraints.genres,
        help_text=(
            'Comma-separated, e.g. "Drama,Comedy": names are trimmed, blank ones dropped, each at most '
            "100 characters; at most 20 different names (`GENRES_PER_MOVIE_LIMIT`)."
        ),
    )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values = super().to_internal_value(data)
        return {**values, "uuid": str(values["uuid"]), "genres": values["genres"].split(",")}


class MovieListField(DocumentedConstraints, serializers.ListField):
    default_error_messages = {"not_a_list": "Must be a list of movies."}
    child = MovieSerializer()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("constraints", constraints.movies)
        kwargs.setdefault("help_text", "In the order given; at most `MOVIES_PER_COLLECTION_LIMIT` (1,000).")
        super().__init__(**kwargs)


class CollectionCreateSerializer(serializers.Serializer):
    title = StrictCharField(constraints=constraints.title, help_text=TITLE_HELP)
    description = StrictCharField(required=False, default="", constraints=constraints.description)
    movies = MovieListField(required=False, default=list)


class CollectionUpdateSerializer(serializers.Serializer):
    title = StrictCharField(required=False, constraints=constraints.title, help_text=TITLE_HELP)
    description = StrictCharField(required=False, constraints=constraints.description)
    movies = MovieListField(required=False)


# --- Response bodies, from the operations' data (camelCase GraphQL fields, named by `source`)


@extend_schema_field(OpenApiTypes.STR)
class JoinedField(serializers.Field):
    """A list as one string: `["Drama", "Comedy"]` as `"Drama,Comedy"`; with `item_key`, of that key of each item."""

    def __init__(self, *, separator: str, item_key: str | None = None, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self.separator = separator
        self.item_key = item_key

    def to_representation(self, value: list[Any]) -> str:
        return self.separator.join(item[self.item_key] if self.item_key else item for item in value)


@extend_schema_field(OpenApiTypes.URI)
class PageLinkField(serializers.Field):
    """This server's absolute URL of catalog page N (never the upstream's); null for no page."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: int) -> str:
        return self.context["request"].build_absolute_uri(f"{get_script_prefix()}movies/?page={value}")


class TokenPairSerializer(serializers.Serializer):
    access_token = serializers.CharField(source="accessToken")
    refresh_token = serializers.CharField(source="refreshToken")


class AccessTokenSerializer(serializers.Serializer):
    access_token = serializers.CharField(source="accessToken")
    refresh_token = serializers.CharField(
        source="refreshToken", help_text="The next refresh token: the one sent no longer works."
    )


class CollectionSummarySerializer(serializers.Serializer):
    title = serializers.CharField()
    uuid = serializers.UUIDField()
    description = serializers.CharField()


class CollectionCreatedSerializer(serializers.Serializer):
    collection_uuid = serializers.UUIDField(source="uuid")


class MovieOutSerializer(serializers.Serializer):
    """A movie as REST answers it, in a collection or a catalog page."""

    title = serializers.CharField()
    description = serializers.CharField()
    genres = JoinedField(separator=",", help_text="Comma-separated genre names, e.g. `Drama,Comedy`; may be empty.")
    uuid = serializers.UUIDField()


class CollectionDetailSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    description = serializers.CharField()
    movies = MovieOutSerializer(many=True)


class CollectionListDataSerializer(serializers.Serializer):
    collections = CollectionSummarySerializer(many=True, source="collections.results")
    favourite_genres = JoinedField(
        separator=", ", item_key="name", source="favouriteGenres", help_text="The top 3 genres, most frequent first."
    )


class CollectionListSerializer(serializers.Serializer):
    is_success = serializers.SerializerMethodField()
    data = CollectionListDataSerializer(source="*")

    def get_is_success(self, data: Any) -> bool:
        return True


class MoviesPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Movies in the whole catalog.")
    next = PageLinkField(
        source="nextPage", allow_null=True, help_text="This server's URL of the next page; null on the last."
    )
    previous = PageLinkField(
        source="previousPage", allow_null=True, help_text="The previous page's URL; null on the first."
    )
    data = MovieOutSerializer(many=True, source="results")


class RequestCountSerializer(serializers.Serializer):
    requests = serializers.IntegerField(
        source="requestCount", help_text="Requests served since the last reset, this one included."
    )


class RequestCountResetSerializer(serializers.Serializer):
    message = serializers.SerializerMethodField()

    def get_message(self, data: Any) -> str:
        return RESET_MESSAGE


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Dotted path into the request body, e.g. `movies.1.uuid`.")
    code = serializers.CharField()
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem document (`application/problem+json`): every error's shape."""

    type = serializers.CharField(default="about:blank")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldErrorSerializer(many=True, required=False, help_text="On validation failures.")


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The request body checked against `serializer_class`; DRF's 400 otherwise."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
