"""Schema extensions of our own: what a document may be, and what an operation may cost.

`DocumentChecks` parses, checks the document limits and validates, once per
document text. `OperationChecks` runs before execution: the operation the
client asked for, its variables, its requested cost against
`GRAPHQL_MAX_COST`, and the caller's cost bucket; after execution it charges
the bucket with the actual cost and reports both in `extensions.cost`.
"""

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    ValuesOfCorrectTypeRule,
    get_operation_ast,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from graphql_api.context import Context
from graphql_api.cost import actual_cost, requested_cost
from graphql_api.documents import CheckedDocument, DocumentCache, DocumentLimits, limit_errors
from graphql_api.errors import (
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    QUERY_TOO_COMPLEX,
    RATE_LIMITED,
    ApiError,
    BadUserInput,
)
from graphql_api.rate_limit import get_limiter
from graphql_api.variables import LiteralValuesRule, variable_problems

# Documents up to this size are kept once checked; larger ones (rare, and slow to send) are checked each time.
CACHEABLE_DOCUMENT_BYTES = 8192
DOCUMENT_CACHE_ENTRIES = 512


class DocumentChecks(SchemaExtension):
    """Parse, limit checks and validation of a document, once per text (`DocumentCache`).

    A document that does not parse is left to Strawberry, which parses it
    again and reports the syntax error the usual way.
    """

    cache = DocumentCache(max_entries=DOCUMENT_CACHE_ENTRIES, max_document_bytes=CACHEABLE_DOCUMENT_BYTES)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = settings.GRAPHQL_MAX_TOKENS
        query = context.query or ""
        limit = settings.GRAPHQL_MAX_DOCUMENT_BYTES
        if len(query) > limit or len(query.encode("utf-8", "surrogatepass")) > limit:
            raise ApiError(GRAPHQL_PARSE_FAILED, f"The document is larger than {limit} bytes.")
        limits = DocumentLimits(
            max_depth=settings.GRAPHQL_MAX_DEPTH,
            max_aliases=settings.GRAPHQL_MAX_ALIASES,
            max_fields=settings.GRAPHQL_MAX_FIELDS,
            max_selections=settings.GRAPHQL_MAX_SELECTIONS,
            max_directives=settings.GRAPHQL_MAX_DIRECTIVES,
        )
        self.checked = self.cache.get_or_check((limits, query), query, lambda: self.check(query, limits))
        context.graphql_document = self.checked.document
        yield

    def on_validate(self) -> Iterator[None]:
        if self.checked.document is not None:
            self.execution_context.pre_execution_errors = list(self.checked.errors)
        yield

    def check(self, query: str, limits: DocumentLimits) -> CheckedDocument:
        context = self.execution_context
        try:
            document = parse(query, **context.parse_options)
        except GraphQLError:
            return CheckedDocument(document=None, errors=())
        errors = limit_errors(document, limits)
        if not errors:
            schema = context.schema.graphql_schema
            rules = [
                LiteralValuesRule if rule is ValuesOfCorrectTypeRule else rule for rule in context.validation_rules
            ]
            errors = validate_document(schema, document, tuple(rules))
        return CheckedDocument(document=document, errors=tuple(errors))


class OperationChecks(SchemaExtension):
    """The operation's own checks before it runs, and its cost after (`extensions.cost`)."""

    def __init__(self) -> None:
        self.cost: dict[str, Any] = {}

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        operation = None
        if context.result is None:  # nothing refused it yet
            operation, error = self.operation()
            error = error or self.variables_error(operation) or self.cost_error(operation) or self.rate_limit_error()
            if error is not None:
                context.result, operation = ExecutionResult(data=None, errors=[error]), None
        yield
        if operation is not None:
            self.charge(operation)

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.cost} if self.cost else {}

    def operation(self) -> tuple[OperationDefinitionNode | None, GraphQLError | None]:
        """The operation the client named, or the document's only one (the GraphQL spec's GetOperation)."""
        context = self.execution_context
        name = context.context.operation_name if isinstance(context.context, Context) else context.operation_name
        operation = get_operation_ast(context.graphql_document, name)
        if operation is not None:
            return operation, None
        if name is None:
            message = "Must provide operation name if query contains multiple operations."
        else:
            message = f"Unknown operation named '{name}'."
        return None, ApiError(GRAPHQL_VALIDATION_FAILED, message)

    def variables_error(self, operation: OperationDefinitionNode) -> GraphQLError | None:
        """Variables of the wrong shape: BAD_USER_INPUT, each problem naming its field."""
        context = self.execution_context
        problems = variable_problems(context.schema.graphql_schema, operation, context.variables or {})
        if not problems:
            return None
        return BadUserInput([problem.item() for problem in problems], message=problems[0].message)

    def cost_error(self, operation: OperationDefinitionNode) -> GraphQLError | None:
        context = self.execution_context
        fragments = {
            definition.name.value: definition
            for definition in context.graphql_document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        try:
            cost = requested_cost(context.schema.graphql_schema, operation, fragments, context.variables or {})
        except RecursionError:
            cost = None
        maximum = settings.GRAPHQL_MAX_COST
        if cost is not None and cost <= maximum:
            self.cost = {"requested": cost}
            return None
        shown = "too many points to count" if cost is None else f"{cost} points"
        message = f"The query would cost {shown}; at most {maximum} are allowed. Ask for smaller pages."
        return ApiError(QUERY_TOO_COMPLEX, message, cost=cost, maxCost=maximum)

    def rate_limit_error(self) -> GraphQLError | None:
        limiter = get_limiter()
        caller = self.execution_context.context
        if not limiter.enabled or not isinstance(caller, Context):
            return None
        retry_after = limiter.retry_after(caller.caller_key)
        if retry_after is None:
            return None
        message = f"The query cost budget is spent; retry in {retry_after} s."
        return ApiError(RATE_LIMITED, message, retryAfter=retry_after)

    def charge(self, operation: OperationDefinitionNode) -> None:
        """Takes the actual cost (at least 1: every request counts) from the caller's bucket."""
        context = self.execution_context
        root = context.schema.graphql_schema.get_root_type(operation.operation)
        root_fields = {
            (selection.alias or selection.name).value: selection.name.value
            for selection in operation.selection_set.selections
            if isinstance(selection, FieldNode)
        }
        actual = actual_cost(root, root_fields, context.result.data if context.result else None)
        self.cost["actual"] = actual
        limiter = get_limiter()
        if limiter.enabled and isinstance(context.context, Context):
            balance = limiter.charge(context.context.caller_key, max(1, actual))
            if balance is not None:
                self.cost["bucket"] = {
                    "available": int(balance.available),
                    "capacity": settings.GRAPHQL_COST_BUCKET,
                    "refillPerSecond": settings.GRAPHQL_COST_REFILL_PER_SECOND,
                }
