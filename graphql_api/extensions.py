"""Schema extensions of our own."""

import re
from collections.abc import Iterator
from functools import cache

from django.conf import settings
from graphql import ASTValidationRule, GraphQLError, GraphQLSyntaxError
from strawberry.extensions import AddValidationRules, MaskErrors, max_aliases, query_depth_limiter
from strawberry.extensions import ParserCache as StrawberryParserCache

from graphql_api.errors import BAD_USER_INPUT, GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, INTERNAL_SERVER_ERROR


def is_unexpected(error: GraphQLError) -> bool:
    """Errors raised by our code that are not `ApiError`s (bugs, outages).

    Validation and limit errors have no original error and keep their message.
    A variable of the wrong type has one, a `GraphQLError` of GraphQL's or
    Strawberry's own (like every `ApiError`): the client's mistake, told as it is.
    """
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


@cache
def _limit_rules(max_depth: int, max_alias_count: int) -> tuple[type[ASTValidationRule], ...]:
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
        super().__init__(list(_limit_rules(settings.GRAPHQL_MAX_DEPTH, settings.GRAPHQL_MAX_ALIASES)))


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


class ErrorCodes(MaskErrors):
    """Every error gets an `extensions.code`; unexpected ones are masked."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="An unexpected error occurred.")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._with_code(error) for error in super()._process_errors(errors)]

    @classmethod
    def finalise(cls, errors: list[GraphQLError]) -> list[GraphQLError]:
        """`errors` masked and coded; a no-op for errors this extension has processed already."""
        return cls()._process_errors(errors)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL_SERVER_ERROR}
        return masked

    @staticmethod
    def _with_code(error: GraphQLError) -> GraphQLError:
        if (error.extensions or {}).get("code"):
            return error
        if field := invalid_variable_field(error.message):
            item = {"field": field, "code": "invalid", "message": error.message}
            error.extensions = {"code": BAD_USER_INPUT, "field": field, "errors": [item]}
            return error
        code = GRAPHQL_PARSE_FAILED if isinstance(error, GraphQLSyntaxError) else GRAPHQL_VALIDATION_FAILED
        error.extensions = {**(error.extensions or {}), "code": code}
        return error


# graphql-core's words for a variable value of the wrong shape, e.g.
# "Variable '$input' has invalid value at .movies[1].uuid: Value cannot represent a UUID: ..."
INVALID_VARIABLE = re.compile(
    r"Variable '\$(?P<variable>\w+)' has invalid value(?: at (?P<path>\S+))?: (?P<reason>.*)", re.S
)
MISSING_FIELD = re.compile(r"required field '(?P<field>\w+)'")


def invalid_variable_field(message: str) -> str | None:
    """The dotted field of an invalid variable value, as REST names it; None for other errors.

    Inside an input object the path is relative to the object (`movies.1.uuid`),
    like the REST body it stands for; otherwise it is the variable's name.
    """
    match = INVALID_VARIABLE.match(message)
    if match is None:
        return None
    parts = re.findall(r"\w+", match["path"] or "")
    if missing := MISSING_FIELD.search(match["reason"]):
        parts.append(missing["field"])
    return ".".join(parts) or match["variable"]
