"""The REST shim of the catalog, `GET /movies/?page=N`, over `Query.movies`.

Lives beside the app until it joins `rest_compat.routes`; the route line is
in `rest_compat/urls.py`.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import get_script_prefix
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from rest_compat.serializers import ProblemSerializer
from rest_compat.views import GraphQLShimView, OperationRoute, ShimSchema

PAGE_PATTERN = re.compile(r"[0-9]+")
# GraphQL's Int is 32-bit; a page beyond it is past the end of any catalog.
MAX_PAGE = 2**31 - 1
STALE_HEADER = "X-Cache-Stale"


def page_variables(request: Request) -> dict[str, Any]:
    """`?page=N` (default 1) as the operation's variables; 400 unless N is a positive integer."""
    raw = request.query_params.get("page")
    if raw is None:
        return {"page": 1}
    if not PAGE_PATTERN.fullmatch(raw) or int(raw) < 1:
        raise ValidationError({"page": ValidationError("Must be a positive integer.", code="invalid")})
    page = int(raw)
    if page > MAX_PAGE:
        raise NotFound(f"Page {page} is past the end of the catalog.")
    return {"page": page}


def page_path(page: int | None) -> str | None:
    """This server's path of page `page`; `MoviesPageView` makes it absolute."""
    return None if page is None else f"{get_script_prefix()}movies/?page={page}"


def movies_body(data: dict[str, Any]) -> dict[str, Any]:
    movies = data["movies"]
    return {
        "count": movies["count"],
        "next": page_path(movies["nextPage"]),
        "previous": page_path(movies["previousPage"]),
        "data": [
            {
                "title": movie["title"],
                "description": movie["description"],
                "genres": ",".join(movie["genres"]),
                "uuid": movie["uuid"],
            }
            for movie in movies["results"]
        ],
    }


def stale_header(data: dict[str, Any]) -> dict[str, str]:
    return {STALE_HEADER: "true"} if data["movies"]["stale"] else {}


class MovieSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()
    genres = serializers.CharField(help_text="Comma-separated genre names, e.g. `Drama,Comedy`; may be empty.")
    uuid = serializers.UUIDField()


class MoviesPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Movies in the whole catalog.")
    next = serializers.URLField(allow_null=True, help_text="This server's URL of the next page; null on the last.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page's URL; null on the first.")
    data = MovieSerializer(many=True)


MOVIES_PAGE = OperationRoute(
    "movies_page",
    variables=page_variables,
    to_body=movies_body,
    headers=stale_header,
    response_serializer=MoviesPageSerializer,
    summary="A page of the third-party movie catalog, 10 movies a page.",
)


class MoviesPageSchema(ShimSchema):
    """The OpenAPI description of `GET /movies/`: its query parameter and every error it answers."""

    def get_override_parameters(self) -> list[OpenApiParameter]:
        return [
            OpenApiParameter(
                "page", int, OpenApiParameter.QUERY, required=False, description="Page number, from 1 (default 1)."
            )
        ]

    def get_description(self) -> str:
        return (
            "Pages of the upstream catalog are cached. While the upstream fails, a copy fetched before is "
            "served with the header `X-Cache-Stale: true`. Without one: 502 for a malformed upstream payload, "
            "503 (with `Retry-After`) when the upstream is unavailable or its circuit is open, 504 when it does "
            "not answer in time. 400 when `page` is not a positive integer, 404 past the last page."
        )

    def get_response_serializers(self) -> Any:
        problems = dict.fromkeys((400, 404, 502, 503, 504), ProblemSerializer)
        return {**super().get_response_serializers(), **problems}


class MoviesPageView(GraphQLShimView):
    """The shim view, plus absolute `next`/`previous` links: building them needs the request."""

    schema = MoviesPageSchema()

    def handle(self, request: Request, **kwargs: Any) -> Response:
        response = super().handle(request, **kwargs)
        if response.status_code == 200:
            for link in ("next", "previous"):
                if response.data[link] is not None:
                    response.data[link] = request.build_absolute_uri(response.data[link])
        return response

    get = handle  # the base class binds its methods to its own `handle`
