"""Schema extensions of our own: document limits, the parser cache, variable checks."""

from collections.abc import Iterator
from functools import cache

from django.conf import settings
from graphql import ASTValidationRule, ExecutionResult, GraphQLError, get_operation_ast
from strawberry.extensions import AddValidationRules, SchemaExtension, max_aliases, query_depth_limiter
from strawberry.extensions import ParserCache as StrawberryParserCache

from graphql_api.errors import BadUserInput
from graphql_api.variables import variable_problems


@cache
def limit_rules(max_depth: int, max_alias_count: int) -> tuple[type[ASTValidationRule], ...]:
    """The validation rules of the depth and alias limits, made once per pair of limits."""
    return (
        query_depth_limiter.create_validator(max_depth, should_ignore=None),
        max_aliases.create_validator(max_alias_count),
    )


class QueryLimits(AddValidationRules):
    """`GRAPHQL_MAX_DEPTH` and `GRAPHQL_MAX_ALIASES` as validation rules.

    Strawberry's `QueryDepthLimiter` and `MaxAliasesLimiter` make new rule
    classes per instance, and an extension factory makes an instance per
    request: the rules then differ on every request and `ValidationCache`,
    keyed by them, never hits. These rule classes are made once per limit.
    (Introspection fields do not count towards the depth.)
    """

    def __init__(self) -> None:
        super().__init__(list(limit_rules(settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES)))


class ParserCache(StrawberryParserCache):
    """Strawberry's parser cache, leaving documents that do not parse to Strawberry.

    Strawberry's own `ParserCache` raises a syntax error (the token limit's
    included) from its `on_parse` hook, outside the parse step's error
    handling: the error then skips every other extension and reaches the
    client without an `extensions.code`. Left unparsed, the document is
    parsed again by Strawberry, which reports the error the usual way.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        except GraphQLError:
            context.graphql_document = None
        yield


class VariableCheck(SchemaExtension):
    """Refuses variables of the wrong shape before execution: BAD_USER_INPUT, each naming its field."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        operation = get_operation_ast(context.graphql_document, context.operation_name)
        if operation is not None and context.variables:
            problems = variable_problems(context.schema.graphql_schema, operation, context.variables)
            if problems:
                items = [{"field": p.field, "code": "invalid", "message": p.message} for p in problems]
                error = BadUserInput(items, message=problems[0].message)
                context.result = ExecutionResult(data=None, errors=[error])
        yield
