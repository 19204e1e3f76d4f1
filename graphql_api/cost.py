"""What a GraphQL operation costs, computed from its document before it runs.

The model, after GitHub's node limit and Shopify's calculated query cost:

- every object in the answer costs 1 point, scalars cost nothing;
- a field that does work of its own (an upstream call, an aggregate, a
  password hash) declares `@cost(weight: N)`: N points each time it resolves;
- a list of objects multiplies the cost of one item by its size: the size
  its slicing argument asks for (`limit`, `pagination.limit`), clamped to the
  most it can hold, or its default size when not asked (`@listSize`). With
  `sizedFields`, the size applies to those child fields (a paginated
  wrapper's `results`);
- introspection fields cost nothing: the document limits bound them.

The requested cost is the worst case over what the document may return; an
operation above `GRAPHQL_MAX_COST` is refused before it runs. The actual
cost, counted from the answer, is what the rate limit charges.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.schema_directive import Location


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="cost",
    description="Points the field costs each time it resolves, beyond the objects it answers (see the README).",
)
class Cost:
    weight: int


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    name="listSize",
    description=(
        "How many objects a list may hold: the value of the first slicing argument given (a dotted path "
        "into an input object), at most maxSize, or defaultSize when none is given. With sizedFields, "
        "the size is that of these child fields."
    ),
)
class ListSize:
    default_size: int
    max_size: int
    slicing_arguments: list[str] | None = None
    sized_fields: list[str] | None = None


@dataclass(frozen=True)
class FieldCost:
    weight: int
    list_size: ListSize | None


# Read once per field (graphql-core fields are unhashable: keyed by id, the field kept alive beside).
_field_costs: dict[int, tuple[GraphQLField, FieldCost]] = {}


def field_cost(field: GraphQLField) -> FieldCost:
    """The `@cost` and `@listSize` that the field's Strawberry definition declares."""
    known = _field_costs.get(id(field))
    if known is None:
        definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        directives = getattr(definition, "directives", None) or ()
        weight = next((d.weight for d in directives if isinstance(d, Cost)), 0)
        list_size = next((d for d in directives if isinstance(d, ListSize)), None)
        known = _field_costs[id(field)] = (field, FieldCost(weight=weight, list_size=list_size))
    return known[1]


class _RequestedCost:
    """One walk over an operation: each fragment costed once per place it can stand in."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.memo: dict[tuple[str, str, frozenset[tuple[str, int]]], int] = {}

    def selection_set(self, node: SelectionSetNode, type_: GraphQLCompositeType, sized: Mapping[str, int]) -> int:
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, type_, sized)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else type_
                total += self.selection_set(selection.selection_set, inner, sized)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, sized)
        return total

    def fragment(self, name: str, sized: Mapping[str, int]) -> int:
        definition = self.fragments[name]
        type_ = self.schema.get_type(definition.type_condition.name.value)
        key = (name, type_.name, frozenset(sized.items()))
        if key not in self.memo:
            self.memo[key] = self.selection_set(definition.selection_set, type_, sized)
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLCompositeType, sized: Mapping[str, int]) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0
        field = parent.fields[name]
        cost = field_cost(field)
        item_type = get_named_type(field.type)
        child_sized: Mapping[str, int] = {}
        size = sized.get(name)
        if cost.list_size is not None:
            requested = self.list_size(cost.list_size, node)
            if cost.list_size.sized_fields:
                child_sized = dict.fromkeys(cost.list_size.sized_fields, requested)
            else:
                size = requested
        children = self.selection_set(node.selection_set, item_type, child_sized) if node.selection_set else 0
        item = (1 if is_composite_type(item_type) else 0) + children
        if is_list_type(get_nullable_type(field.type)):
            return cost.weight + (size if size is not None else 1) * item
        return cost.weight + item

    def list_size(self, list_size: ListSize, node: FieldNode) -> int:
        for path in list_size.slicing_arguments or ():
            value = self.argument(node, path)
            if isinstance(value, int) and not isinstance(value, bool):
                # A negative limit asks for everything (strawberry-django's pagination).
                return list_size.max_size if value < 0 else min(value, list_size.max_size)
        return list_size.default_size

    def argument(self, node: FieldNode, path: str) -> Any:
        """The value of a dotted argument path (`pagination.limit`) in literals and variables; None if absent."""
        first, *rest = path.split(".")
        arguments = node.arguments or ()
        value: Any = next((argument.value for argument in arguments if argument.name.value == first), None)
        for part in rest:
            value = self.resolve(value)
            if isinstance(value, ObjectValueNode):
                value = next((field.value for field in value.fields or () if field.name.value == part), None)
            elif isinstance(value, Mapping):
                value = value.get(part)
            else:
                return None
        return self.resolve(value)

    def resolve(self, value: Any) -> Any:
        """A literal or a variable as far as sizes need it: a variable's value, an int, an object literal."""
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, ValueNode) and not isinstance(value, ObjectValueNode):
            return None  # another kind of literal sizes nothing
        return value


def requested_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    """The worst-case cost of a validated operation with these variables."""
    root = schema.get_root_type(operation.operation)
    return _RequestedCost(schema, fragments, variables).selection_set(operation.selection_set, root, {})


def actual_cost(root: GraphQLObjectType, root_fields: Mapping[str, str], data: Mapping[str, Any] | None) -> int:
    """What an answer cost: its objects, and the weight of each root field that resolved.

    `root_fields` maps the answer's keys (aliases included) to root field names.
    """
    if not data:
        return 0
    names = (root_fields.get(key, "") for key in data)
    weights = sum(field_cost(root.fields[name]).weight for name in names if name in root.fields)
    return weights + sum(1 for _ in _objects(list(data.values())))


def _objects(value: Any) -> Iterator[None]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield None
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
