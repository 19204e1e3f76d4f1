"""How the OpenAPI document (drf-spectacular) describes the REST shims."""

from typing import TYPE_CHECKING, Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework.serializers import Serializer

from rest_compat.serializers import ProblemSerializer

if TYPE_CHECKING:
    from rest_compat.views import OperationRoute


class BearerScheme(SimpleJWTScheme):
    """`accounts.authentication.BearerAuthentication` is simplejwt's bearer scheme."""

    target_class = "accounts.authentication.BearerAuthentication"


class ShimSchema(AutoSchema):
    """Describes a shim from its route row."""

    def _route(self) -> "OperationRoute":
        return self.view.routes[self.method.lower()]

    def get_request_serializer(self) -> type[Serializer] | None:
        return self._route().request_serializer

    def get_response_serializers(self) -> Any:
        route = self._route()
        responses: dict[int, Any] = {route.status: route.serializer}
        errors = set(route.error_statuses)
        if route.request_serializer:
            errors.add(400)
        if self.view.authentication_classes:
            errors.add(401)
        if "{" in self.path:
            errors.add(404)
        return responses | dict.fromkeys(sorted(errors), ProblemSerializer)

    def get_override_parameters(self) -> list[OpenApiParameter]:
        return list(self._route().parameters)

    def get_summary(self) -> str | None:
        return self._route().summary or None

    def get_description(self) -> str:
        return self._route().description

    def get_operation_id(self) -> str:
        # PUT and PATCH share an operation; the method keeps their ids apart.
        operation = self._route().operation
        return f"{operation}_partial" if self.method == "PATCH" else operation
