"""The one GraphQL schema: both `/graphql/` and the REST shims execute it.

Each domain keeps its types, queries and mutations in a package of its own
(`graphql_api/<domain>/`); this module composes them.
"""

import time
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSchema
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult

from graphql_api.accounts.mutations import AccountMutation
from graphql_api.accounts.queries import AccountQuery
from graphql_api.collections.mutations import CollectionMutation
from graphql_api.collections.queries import CollectionQuery
from graphql_api.errors import DEADLINE_EXCEEDED, ApiError, api_error, is_unexpected
from graphql_api.extensions import DocumentChecks, OperationChecks
from graphql_api.movies.queries import MovieQuery
from graphql_api.nodes import NodeQuery
from graphql_api.request_counter.mutations import RequestCounterMutation
from graphql_api.request_counter.queries import RequestCounterQuery

Query = merge_types("Query", (NodeQuery, AccountQuery, CollectionQuery, MovieQuery, RequestCounterQuery))
Mutation = merge_types("Mutation", (AccountMutation, CollectionMutation, RequestCounterMutation))


class DeadlineExecution:
    """Stops an operation once its request's deadline (`Context.deadline`) has passed.

    Checked before each field: resolvers that wait (the upstream, the
    counter's barrier) bound their waits by the same deadline.
    """

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        deadline = getattr(self.context_value, "deadline", None)
        if deadline is not None and time.monotonic() > deadline:
            raise ApiError(DEADLINE_EXCEEDED, "The request ran out of time.")
        return super().execute_field(*args, **kwargs)


class Schema(strawberry.Schema):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        base = self.execution_context_class
        self.execution_context_class = type(f"Deadline{base.__name__}", (DeadlineExecution, base), {})

    @property
    def graphql_schema(self) -> GraphQLSchema:
        """The graphql-core schema Strawberry built, for graphql-core's own functions."""
        return self._schema

    def execute_sync(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Every result's errors as clients see them (`errors.api_error`), however they arose.

        Here rather than in an extension: an extension's own failure ends
        the operation before the other extensions see its error.
        """
        result = super().execute_sync(*args, **kwargs)
        if result.errors:
            result.errors = [api_error(error) for error in result.errors]
            if timeout := next((e for e in result.errors if e.extensions["code"] == DEADLINE_EXCEEDED), None):
                # Every field after the deadline failed alike: one error, and no half an answer.
                result.data, result.errors = None, [timeout]
        return result

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log unexpected errors with their traceback; expected ones are the client's business."""
        unexpected = [error for error in errors if is_unexpected(error)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


schema = Schema(
    query=Query,
    mutation=Mutation,
    extensions=[DocumentChecks, OperationChecks],
)
