"""How the OpenAPI document (drf-spectacular) describes the REST shims.

Every status a shim can answer is listed: its success, the errors of its
route row (`OperationRoute.statuses`), and those every shim shares (a body
that is not JSON, no token, the cost rate limit, an outage). Errors are
problem documents (`application/problem+json`); request fields carry the
constraints the services enforce (`rest_compat.constraints`).
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.fields import Field
from rest_framework.serializers import Serializer

from backend.problems import PROBLEM_CONTENT_TYPE
from rest_compat.serializers import ProblemSerializer

if TYPE_CHECKING:
    from rest_compat.views import OperationRoute

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# What an error status means on any route; a route row may say more of its own (`OperationRoute.statuses`).
ERROR_DESCRIPTIONS = {
    400: "The request is not valid: malformed JSON, or `errors` lists every invalid field (a dotted path each).",
    401: "No valid bearer token: missing, malformed, expired or revoked. Checked before anything else.",
    404: "No such resource.",
    413: "The request body is larger than `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MB by default).",
    415: "The request body is not `application/json`.",
    429: "Too many requests (the caller's cost bucket, or the registration and token throttle): retry after "
    "`Retry-After` seconds.",
    500: "An unexpected error (logged on the server; the answer says no more).",
    503: "A store is unavailable or the database is busy, or the request ran out of time: retry later "
    "(after `Retry-After` seconds when given).",
}
# Answered by every shim: the cost rate limit, an outage, a bug.
SHARED_STATUSES = (429, 500, 503)

RETRY_AFTER = "Retry-After"
WWW_AUTHENTICATE = "WWW-Authenticate"


class BearerScheme(SimpleJWTScheme):
    """`accounts.authentication.BearerAuthentication` is simplejwt's bearer scheme."""

    target_class = "accounts.authentication.BearerAuthentication"


class ShimSchema(AutoSchema):
    """Describes a shim from its route row."""

    def _route(self) -> "OperationRoute":
        return self.view.routes[self.method.lower()]

    def _is_public(self) -> bool:
        return not self.view.authentication_classes

    def get_request_serializer(self) -> type[Serializer] | None:
        return self._route().request_serializer

    def get_response_serializers(self) -> dict[Any, Any]:
        route = self._route()
        responses: dict[Any, Any] = {route.status: route.serializer}
        for status in sorted(self._answered_statuses()):
            description = route.statuses.get(status) or ERROR_DESCRIPTIONS.get(status, "")
            if status < 400:
                responses[status] = OpenApiResponse(description=description)
            else:
                problem = OpenApiResponse(response=ProblemSerializer, description=description)
                responses[status, PROBLEM_CONTENT_TYPE] = problem
        return responses

    def _answered_statuses(self) -> set[int]:
        """Every status but the success: the route's own and those of its kind."""
        statuses = {*self._route().statuses, *SHARED_STATUSES}
        if self.method in BODY_METHODS:
            statuses |= {400, 413, 415}  # the body is parsed, even where it is unused
        if not self._is_public():
            statuses.add(401)
        if "{" in self.path:
            statuses.add(404)
        return statuses

    def get_override_parameters(self) -> list[OpenApiParameter]:
        return [*self._route().parameters, *self._error_headers()]

    def _error_headers(self) -> Iterator[OpenApiParameter]:
        statuses = self._answered_statuses()
        if 401 in statuses:
            yield OpenApiParameter(
                WWW_AUTHENTICATE,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                response=[401],
                description='The scheme to authenticate with: `Bearer realm="api"`.',
            )
        yield OpenApiParameter(
            RETRY_AFTER,
            {"type": "integer", "minimum": 0},
            OpenApiParameter.HEADER,
            required=True,
            response=[429],
            description="Seconds to wait before trying again.",
        )
        yield OpenApiParameter(
            RETRY_AFTER,
            {"type": "integer", "minimum": 0},
            OpenApiParameter.HEADER,
            response=[503],
            description="Seconds to wait before trying again, when known.",
        )

    def _insert_field_validators(self, field: Field, schema: dict[str, Any]) -> None:
        """The field's validators, then its documented `constraints`, which say all about blank strings."""
        super()._insert_field_validators(field, schema)
        constraints = getattr(field, "constraints", None)
        if constraints is not None:
            # drf-spectacular offers "" beside a pattern of a field that allows blank: the pattern decides here.
            schema.update(schema.pop("oneOf", [{}])[0])
            schema.update(constraints())

    def get_summary(self) -> str | None:
        return self._route().summary or None

    def get_description(self) -> str:
        return self._route().description

    def get_operation_id(self) -> str:
        # PUT and PATCH share an operation; the method keeps their ids apart.
        operation = self._route().operation
        return f"{operation}_partial" if self.method == "PATCH" else operation
