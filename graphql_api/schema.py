"""The one GraphQL schema: both `/graphql/` and the REST shims execute it."""

from typing import Any

import strawberry
from django.conf import settings
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ValidationCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry_django.optimizer import DjangoOptimizerExtension

from graphql_api.extensions import ErrorCodes, ParserCache, QueryLimits, is_unexpected
from graphql_api.metrics import MetricsMutation, MetricsQuery
from graphql_api.movies import MovieQuery
from graphql_api.mutations import AccountMutation, CollectionMutation
from graphql_api.queries import CollectionQuery

Query = merge_types("Query", (CollectionQuery, MovieQuery, MetricsQuery))
Mutation = merge_types("Mutation", (AccountMutation, CollectionMutation, MetricsMutation))


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log unexpected errors with their traceback; expected ones are the client's business."""
        unexpected = [error for error in errors if is_unexpected(error)]
        if unexpected:
            super().process_errors(unexpected, execution_context)

    def execute_sync(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Also masks errors that skipped the extensions (Strawberry reports an extension's own failure raw)."""
        result = super().execute_sync(*args, **kwargs)
        if result.errors:
            result.errors = ErrorCodes.finalise(result.errors)
        return result


schema = Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        # Limits first, so an oversized document is refused before more work.
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
        QueryLimits,
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        DjangoOptimizerExtension,
        ErrorCodes,
    ],
)
