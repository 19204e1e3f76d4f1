"""Running operations of the schema from Python (the REST shims use this)."""

from typing import Any

from django.http import HttpRequest
from graphql import ExecutionResult
from strawberry.django.context import StrawberryDjangoContext
from strawberry.django.views import TemporalHttpResponse


def execute_operation(request: HttpRequest, document: str, variables: dict[str, Any] | None = None) -> ExecutionResult:
    """Execute `document` as `request.user` would through `/graphql/`."""
    from graphql_api.schema import schema  # the schema imports every app's types

    context = StrawberryDjangoContext(request=request, response=TemporalHttpResponse())
    return schema.execute_sync(document, variable_values=variables, context_value=context)
