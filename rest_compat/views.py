"""REST shims: each route runs a named GraphQL operation through the one schema.

A shim is a table row (`OperationRoute`): which operation, which variables
from the request, how the result maps to the wire shape, which status on
success. `GraphQLShimView` serves any set of them, one per HTTP method.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from drf_spectacular.openapi import AutoSchema
from graphql import ExecutionResult
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from rest_compat.serializers import ProblemSerializer
from rest_framework.views import APIView

from backend.problems import problem_response
from graphql_api.context import execute_operation
from graphql_api.errors import BAD_USER_INPUT, HTTP_STATUS_BY_CODE, INTERNAL_SERVER_ERROR

OPERATIONS_DIR = Path(__file__).resolve().parent / "operations"

Variables = Callable[..., dict[str, Any]]
ToBody = Callable[[dict[str, Any]], Any]


@cache
def load_operation(name: str) -> str:
    """The GraphQL document `operations/<name>.graphql`, read once."""
    return (OPERATIONS_DIR / f"{name}.graphql").read_text(encoding="utf-8")


def no_variables(request: Request, **kwargs: Any) -> dict[str, Any]:
    return {}


def unchanged(data: dict[str, Any]) -> Any:
    return data


@dataclass(frozen=True)
class OperationRoute:
    """One REST method served by one named GraphQL operation."""

    operation: str
    variables: Variables = no_variables
    to_body: ToBody = unchanged
    status: int = 200
    headers: Callable[[dict[str, Any]], Mapping[str, str]] = field(default=lambda data: {})
    # For the OpenAPI document only.
    request_serializer: type[Serializer] | None = None
    response_serializer: type[Serializer] | None = None
    summary: str = ""


class ShimSchema(AutoSchema):
    """Describes a shim from its route's serializers."""

    def _route(self) -> OperationRoute:
        return self.view.routes[self.method.lower()]

    def get_request_serializer(self) -> type[Serializer] | None:
        return self._route().request_serializer

    def get_response_serializers(self) -> Any:
        route = self._route()
        responses: dict[int, Any] = {route.status: route.response_serializer if route.status != 204 else None}
        if route.request_serializer:
            responses[400] = ProblemSerializer
        if self.view.authentication_classes:
            responses[401] = ProblemSerializer
        if "{" in self.path:
            responses[404] = ProblemSerializer
        return responses

    def get_summary(self) -> str | None:
        return self._route().summary or None

    def get_operation_id(self) -> str:
        # PUT and PATCH share an operation; the method keeps their ids apart.
        operation = self._route().operation
        return f"{operation}_partial" if self.method == "PATCH" else operation


class GraphQLShimView(APIView):
    """Runs the route of the request's method; `routes` maps methods to routes."""

    routes: Mapping[str, OperationRoute] = {}
    schema = ShimSchema()

    @classmethod
    def for_routes(cls, routes: Mapping[str, OperationRoute], *, public: bool = False) -> Callable[..., Any]:
        """A view serving `routes` (method name to route); `public` ones take no token."""
        attrs: dict[str, Any] = {"routes": routes, "http_method_names": [*routes, "options"]}
        if public:
            attrs["authentication_classes"] = []
        return type(cls.__name__, (cls,), attrs).as_view()

    def handle(self, request: Request, **kwargs: Any) -> Response:
        route = self.routes[request.method.lower()]
        variables = route.variables(request, **kwargs)
        result = execute_operation(request._request, load_operation(route.operation), variables)
        if result.errors:
            return error_response(result)
        body = route.to_body(result.data or {})
        status = route.status
        if status == 204:
            return Response(status=status)
        return Response(body, status=status, headers=route.headers(result.data or {}))

    get = post = put = patch = delete = handle


def error_response(result: ExecutionResult) -> Response:
    """The problem document for the first error; every field error on 400."""
    error = result.errors[0]
    extensions = error.extensions or {}
    code = extensions.get("code", INTERNAL_SERVER_ERROR)
    status = HTTP_STATUS_BY_CODE.get(code, 500)
    if code == BAD_USER_INPUT:
        errors = [item for e in result.errors for item in (e.extensions or {}).get("errors", [])]
        return problem_response(400, "The request is not valid.", errors=errors)
    headers = {"Retry-After": str(extensions["retryAfter"])} if "retryAfter" in extensions else None
    detail = error.message if status != 500 else "An unexpected error occurred."
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="api"'}
    return problem_response(status, detail, headers=headers)
