"""Input values checked against their types, each problem with its field path, in REST's words.

graphql-core refuses a value of the wrong shape too, but tells where only
in its message's text, in its own words ("badly formed hexadecimal UUID
string"). This walk finds the same problems with their paths as data, so
that an error names the field as REST does (`movies.1.uuid`) and says what
REST says for the same mistake ("Must be a valid UUID."). It checks the
variables before execution, and the literals written in a document
(`LiteralValuesRule`, in place of graphql-core's `ValuesOfCorrectTypeRule`).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
    ValueNode,
    ValuesOfCorrectTypeRule,
    VisitorAction,
    is_input_type,
    is_required_input_field,
    type_from_ast,
    value_from_ast_untyped,
)
from graphql.language.visitor import SKIP
from graphql.pyutils import print_path_list
from graphql.utilities.validate_input_value import validate_input_literal

from graphql_api.errors import BadUserInput

Path = tuple[str | int, ...]

# What REST (DRF) says of a value a scalar cannot take; graphql-core's own words otherwise.
INVALID_SCALAR_MESSAGES = {
    "UUID": "Must be a valid UUID.",
    "Int": "A valid integer is required.",
    "Float": "A valid number is required.",
    "String": "Not a valid string.",
    "ID": "Not a valid string.",
    "Boolean": "Must be a valid boolean.",
    "DateTime": "Datetime has wrong format.",
}
INT_RANGE = (-(2**31), 2**31 - 1)


@dataclass(frozen=True)
class Problem:
    path: Path
    code: str
    reason: str


@dataclass(frozen=True)
class VariableProblem:
    variable: str
    path: Path
    code: str
    reason: str

    @property
    def field(self) -> str:
        """The dotted field: relative to an input object (as the REST body it stands for), else the variable."""
        return ".".join(str(part) for part in self.path) or self.variable

    @property
    def message(self) -> str:
        return f"Variable '${self.variable}' has invalid value{print_path_list(self.path)}: {self.reason}"

    def item(self) -> dict[str, str]:
        """The problem as an item of `extensions.errors` (and REST's `errors`)."""
        return {"field": self.field, "code": self.code, "message": self.reason}


def variable_problems(
    schema: GraphQLSchema, operation: OperationDefinitionNode, values: Mapping[str, Any]
) -> list[VariableProblem]:
    """What is wrong with the given variable values of `operation`, in document order.

    Variables left out are graphql-core's business (it applies defaults and
    names a missing required one).
    """
    problems = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        var_type = type_from_ast(schema, definition.type)
        if name not in values or var_type is None or not is_input_type(var_type):
            continue  # not given, or an unknown type that validation has reported
        problems += [VariableProblem(name, p.path, p.code, p.reason) for p in input_problems(values[name], var_type)]
    return problems


def input_problems(value: Any, type_: GraphQLInputType) -> list[Problem]:
    """What is wrong with `value` as a `type_`, each problem with its path inside it."""
    return [Problem(path, code, reason) for path, code, reason in _walk(value, type_, ())]


class LiteralValuesRule(ValuesOfCorrectTypeRule):
    """graphql-core's check of the values written in a document, each problem BAD_USER_INPUT naming
    its field in the same words as a variable's: the same mistake reads the same either way."""

    argument: str | None = None

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.argument = node.name.value

    def leave_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.argument = None

    def is_valid_value_node(self, node: ValueNode, input_type: GraphQLInputType | None) -> VisitorAction:
        if input_type is None:
            return SKIP
        errors: list[GraphQLError] = []
        validate_input_literal(node, input_type, lambda error, _path: errors.append(error), None, None, True)
        if errors:
            # Variables inside a literal stand for values checked with the variables.
            problems = input_problems(value_from_ast_untyped(node, {}), input_type) if self.argument else []
            for error in [self.problem_error(node, problems)] if problems else errors:
                self.report_error(error)
        return SKIP

    def problem_error(self, node: ValueNode, problems: list[Problem]) -> GraphQLError:
        items = [{"field": self.field(p), "code": p.code, "message": p.reason} for p in problems]
        first = problems[0]
        message = f"Argument '{self.argument}' has invalid value{print_path_list(first.path)}: {first.reason}"
        error = BadUserInput(items, message=message)
        return GraphQLError(error.message, node, extensions=error.extensions)

    def field(self, problem: Problem) -> str:
        return ".".join(str(part) for part in problem.path) or self.argument or ""


def _walk(value: Any, type_: GraphQLInputType, path: Path) -> Iterator[tuple[Path, str, str]]:
    if value is Undefined:  # a variable inside a literal: checked with the variables
        return
    if isinstance(type_, GraphQLNonNull):
        if value is None:
            yield path, "null", "This field may not be null."
        else:
            yield from _walk(value, type_.of_type, path)
    elif value is None:
        return
    elif isinstance(type_, GraphQLList):
        items = value if isinstance(value, list | tuple) else [value]  # a single value is a list of one
        for index, item in enumerate(items):
            yield from _walk(item, type_.of_type, (*path, index) if items is value else path)
    elif isinstance(type_, GraphQLInputObjectType):
        yield from _walk_object(value, type_, path)
    else:
        yield from _walk_leaf(value, type_, path)


def _walk_object(value: Any, type_: GraphQLInputObjectType, path: Path) -> Iterator[tuple[Path, str, str]]:
    if not isinstance(value, dict):
        yield path, "invalid", f"Invalid data. Expected a dictionary, but got {type(value).__name__}."
        return
    for name, field in type_.fields.items():
        if name in value:
            yield from _walk(value[name], field.type, (*path, name))
        elif is_required_input_field(field):
            yield (*path, name), "required", "This field is required."
    for name in sorted(value.keys() - type_.fields.keys()):
        yield (*path, name), "invalid", "Unknown field."


def _walk_leaf(value: Any, type_: Any, path: Path) -> Iterator[tuple[Path, str, str]]:
    if type_.name == "Int" and isinstance(value, int) and not isinstance(value, bool):
        low, high = INT_RANGE
        if not low <= value <= high:
            code = "max_value" if value > high else "min_value"
            yield path, code, f"Ensure this value is between {low} and {high}."
            return
    try:
        coerced = type_.coerce_input_value(value)
    except Exception as error:  # a scalar's parser may raise anything for a value it cannot take
        yield path, "invalid", _invalid_scalar_message(type_, error)
    else:
        if coerced is Undefined:
            yield path, "invalid", _invalid_scalar_message(type_, None)


def _invalid_scalar_message(type_: Any, error: Exception | None) -> str:
    if type_.name in INVALID_SCALAR_MESSAGES:
        return INVALID_SCALAR_MESSAGES[type_.name]
    if isinstance(error, GraphQLError):  # an enum's, naming the values it takes
        return error.message
    return f"Expected value of type '{type_}'."
