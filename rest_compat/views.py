"""REST shims: each route runs a named GraphQL operation through the one schema.

A shim is a table row (`OperationRoute`): which operation, which variables
from the request, which serializer shapes the operation's data into the REST
body (and describes it in the OpenAPI document), which status on success.
`GraphQLShimView` serves any set of them, one per HTTP method.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView
from strawberry.types import ExecutionResult

from backend.problems import problem_response
from graphql_api.context import Context
from graphql_api.errors import (
    BAD_USER_INPUT,
    HTTP_STATUS_BY_CODE,
    INTERNAL_SERVER_ERROR,
    UNEXPECTED_MESSAGE,
    Unauthenticated,
)
from graphql_api.schema import schema
from rest_compat.openapi import BODY_METHODS, ShimSchema

OPERATIONS_DIR = Path(__file__).resolve().parent / "operations"

Data = dict[str, Any]


@cache
def load_operation(name: str) -> str:
    """The GraphQL document `operations/<name>.graphql`, read once."""
    return (OPERATIONS_DIR / f"{name}.graphql").read_text(encoding="utf-8")


def no_variables(request: Request, **url_kwargs: Any) -> Data:
    return {}


def no_headers(data: Data) -> Mapping[str, str]:
    return {}


@dataclass(frozen=True)
class OperationRoute:
    """One REST method served by one named GraphQL operation."""

    operation: str
    # The operation's variables from the request and the URL's keyword arguments.
    variables: Callable[..., Data] = no_variables
    # An answer without running the operation (a 304), or None to run it; takes what `variables` takes.
    shortcut: Callable[..., Response | None] | None = None
    # Shapes the operation's data (or its `result` field) into the REST body; also describes it in OpenAPI.
    serializer: type[Serializer] | None = None
    result: str | None = None
    # The detail of the 404 answered when `result` is null.
    not_found: str = "No such resource."
    status: int = 200
    headers: Callable[[Data], Mapping[str, str]] = no_headers
    # For the OpenAPI document only.
    request_serializer: type[Serializer] | None = None
    summary: str = ""
    description: str = ""
    # Request parameters and headers, and response headers (`OpenApiParameter(response=[...])`).
    parameters: Sequence[OpenApiParameter] = ()
    # The statuses of this route beyond those every shim of its kind answers (`ShimSchema`), each with its meaning.
    statuses: Mapping[int, str] = field(default_factory=dict)

    def body(self, data: Data, request: Request) -> Any:
        """The REST body of a successful run: the serializer's rendering of the data."""
        if self.serializer is None:
            return None
        instance = data if self.result is None else data[self.result]
        if instance is None:
            raise NotFound(self.not_found)
        return self.serializer(instance, context={"request": request}).data


class GraphQLShimView(APIView):
    """Runs the route of the request's method; `routes` maps methods to routes."""

    routes: Mapping[str, OperationRoute] = {}
    schema = ShimSchema()
    # The caller is authenticated before anything of the request is read (401 before 400 or 404).
    permission_classes = [IsAuthenticated]

    @classmethod
    def for_routes(cls, routes: Mapping[str, OperationRoute], *, public: bool = False) -> Callable[..., Any]:
        """A view serving `routes` (method name to route); `public` ones take no token."""
        methods = [*routes, *(["head"] if "get" in routes else []), "options"]
        attrs: dict[str, Any] = {"routes": routes, "http_method_names": methods}
        if public:
            attrs["authentication_classes"] = attrs["permission_classes"] = []
        return type(cls.__name__, (cls,), attrs).as_view()

    def permission_denied(self, request: Request, message: str | None = None, code: str | None = None) -> None:
        raise NotAuthenticated(Unauthenticated.default_message)

    def handle(self, request: Request, **url_kwargs: Any) -> Response:
        route = self.routes["get" if request.method == "HEAD" else request.method.lower()]
        if request.method in BODY_METHODS:
            request.data  # noqa: B018 - parses the body, so a wrong media type is a 415 even where it is unused
        if route.shortcut is not None and (answer := route.shortcut(request, **url_kwargs)) is not None:
            return answer
        variables = route.variables(request, **url_kwargs)
        result = execute_operation(request, route.operation, variables)
        if result.errors:
            return error_response(result)
        data = result.data or {}
        return Response(route.body(data, request), status=route.status, headers=route.headers(data))

    get = post = put = patch = delete = handle


def execute_operation(request: Request, operation: str, variables: Data) -> ExecutionResult:
    """Run operation `operation` as the request's (DRF-authenticated) user would through `/graphql/`."""
    context = Context(request=request._request, user=request.user)
    return schema.execute_sync(load_operation(operation), variable_values=variables, context_value=context)


def error_response(result: ExecutionResult) -> Response:
    """The problem document for the first error; every field error on 400."""
    error = result.errors[0]
    extensions = error.extensions or {}
    code = extensions.get("code", INTERNAL_SERVER_ERROR)
    status = HTTP_STATUS_BY_CODE.get(code, 500)
    if code == BAD_USER_INPUT:
        errors = [item for e in result.errors for item in (e.extensions or {}).get("errors", [])]
        return problem_response(400, "The request is not valid.", errors=errors)
    headers = {"Retry-After": str(extensions["retryAfter"])} if "retryAfter" in extensions else {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    detail = error.message if status != 500 else UNEXPECTED_MESSAGE
    return problem_response(status, detail, headers=headers or None)
