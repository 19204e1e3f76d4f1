"""Variables checked against their types before execution, each problem with its field path.

graphql-core refuses a variable of the wrong shape too, but tells where only
in its message's text. This walk finds the same problems with their paths
as data, so that an error names the field as REST does (`movies.1.uuid`).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
    is_input_type,
    is_required_input_field,
    type_from_ast,
)
from graphql.pyutils import print_path_list

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class VariableProblem:
    variable: str
    path: Path
    reason: str

    @property
    def field(self) -> str:
        """The dotted field: relative to an input object (as the REST body it stands for), else the variable."""
        return ".".join(str(part) for part in self.path) or self.variable

    @property
    def message(self) -> str:
        return f"Variable '${self.variable}' has invalid value{print_path_list(self.path)}: {self.reason}"


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
        problems += [VariableProblem(name, path, reason) for path, reason in _walk(values[name], var_type, ())]
    return problems


def _walk(value: Any, type_: GraphQLInputType, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(type_, GraphQLNonNull):
        if value is None:
            yield path, f"Expected value of non-null type '{type_}' not to be null."
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


def _walk_object(value: Any, type_: GraphQLInputObjectType, path: Path) -> Iterator[tuple[Path, str]]:
    if not isinstance(value, dict):
        yield path, f"Expected value of type '{type_}' to be an object."
        return
    for name, field in type_.fields.items():
        if name in value:
            yield from _walk(value[name], field.type, (*path, name))
        elif is_required_input_field(field):
            yield (*path, name), "This field is required."
    for name in value.keys() - type_.fields.keys():
        yield (*path, name), f"Type '{type_}' has no field '{name}'."


def _walk_leaf(value: Any, type_: Any, path: Path) -> Iterator[tuple[Path, str]]:
    try:
        coerced = type_.coerce_input_value(value)
    except GraphQLError as error:
        yield path, error.message
    except Exception:  # a scalar's parser may raise anything for a value it cannot take
        yield path, f"Expected value of type '{type_}'."
    else:
        if coerced is Undefined:
            yield path, f"Expected value of type '{type_}'."
