"""GraphQL documents: parsed, checked against the limits, validated, and cached.

The limits are checked before graphql-core validates (some of its rules cost
the square of the number of fields), in time linear in the document's size
whatever its fragments do: each definition is walked once, and a fragment's
depth is computed once however often it is spread.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True)
class DocumentLimits:
    max_depth: int
    max_aliases: int
    # Fields and fragment spreads as written (graphql-core's validation costs their square).
    max_fields: int
    # Fields once every fragment is written out where it is spread (a document's true size).
    max_selections: int
    max_directives: int


@dataclass(frozen=True)
class CheckedDocument:
    """A parsed document and what is wrong with it (nothing, when it may run)."""

    document: DocumentNode
    errors: tuple[GraphQLError, ...]


def limit_errors(document: DocumentNode, limits: DocumentLimits) -> list[GraphQLError]:
    """The document's breaches of `limits`; depth and selections are checked only when the rest hold."""
    counts = _Counts()
    for definition in document.definitions:
        counts.add(definition)
    errors = []
    if counts.fields > limits.max_fields:
        message = f"The document has {counts.fields} fields and fragment spreads. Allowed: {limits.max_fields}"
        errors.append(GraphQLError(message))
    if counts.aliases > limits.max_aliases:
        errors.append(GraphQLError(f"{counts.aliases} aliases found. Allowed: {limits.max_aliases}"))
    if counts.directives > limits.max_directives:
        errors.append(GraphQLError(f"{counts.directives} directives found. Allowed: {limits.max_directives}"))
    return errors or _shape_errors(document, limits)


class _Counts:
    """Fields (and fragment spreads), aliases and directives as written: each definition once."""

    def __init__(self) -> None:
        self.fields = self.aliases = self.directives = 0

    def add(self, definition: Node) -> None:
        stack: list[Node] = [definition]
        while stack:
            node = stack.pop()
            self.directives += len(getattr(node, "directives", None) or ())
            if isinstance(node, FieldNode | FragmentSpreadNode):
                self.fields += 1
            if isinstance(node, FieldNode) and node.alias is not None:
                self.aliases += 1
            selection_set = getattr(node, "selection_set", None)
            if selection_set is not None:
                stack.extend(selection_set.selections)


@dataclass(frozen=True)
class _Shape:
    """Of a selection set, with its fragments written out in place: its deepest field, that field's
    depth (the number of fields above it), and how many fields it holds."""

    depth: int
    deepest: FieldNode | None
    fields: int


_EMPTY = _Shape(-1, None, 0)


def _shape_errors(document: DocumentNode, limits: DocumentLimits) -> list[GraphQLError]:
    """Operations too deep or too large once their fragments are written out.

    Introspection fields (`__schema { ... }`, `__typename`) count as fields, not for the depth.
    """
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    shapes = _Shapes(fragments)
    errors = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        shape = shapes.of(operation.selection_set)
        name = operation.name.value if operation.name else "anonymous"
        if shape.depth > limits.max_depth:
            message = f"'{name}' exceeds maximum operation depth of {limits.max_depth}"
            errors.append(GraphQLError(message, shape.deepest))
        if shape.fields > limits.max_selections:
            message = (
                f"'{name}' selects {shape.fields} fields once its fragments are written out. "
                f"Allowed: {limits.max_selections}"
            )
            errors.append(GraphQLError(message, operation))
    return errors


class _Shapes:
    """Shapes of selection sets; each fragment's is computed once, however often it is spread."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.memo: dict[str, _Shape] = {}

    def of(self, selection_set: SelectionSetNode) -> _Shape:
        depth, deepest, fields = _EMPTY.depth, _EMPTY.deepest, 0
        for level, node in _walk(selection_set):
            if isinstance(node, FieldNode):
                fields += 1
                if level is not None and level > depth and not node.name.value.startswith("__"):
                    depth, deepest = level, node
            elif isinstance(node, FragmentSpreadNode):
                inner = self.fragment(node.name.value)
                fields += inner.fields
                if level is not None and inner.deepest is not None and level + inner.depth > depth:
                    depth, deepest = level + inner.depth, inner.deepest
        return _Shape(depth, deepest, fields)

    def fragment(self, name: str) -> _Shape:
        if name not in self.memo:
            self.memo[name] = _EMPTY  # a cycle (which validation reports) adds nothing
            definition = self.fragments.get(name)
            if definition is not None:
                self.memo[name] = self.of(definition.selection_set)
        return self.memo[name]


def _walk(selection_set: SelectionSetNode) -> Iterator[tuple[int | None, Node]]:
    """Fields and spreads below `selection_set`, with the depth of the fields they stand among;
    None for depth inside an introspection field (`__schema { ... }`), where depth is not counted."""
    stack: list[tuple[int | None, Node]] = [(0, selection) for selection in selection_set.selections]
    while stack:
        depth, node = stack.pop()
        yield depth, node
        if isinstance(node, FieldNode) and node.selection_set:
            below = None if depth is None or node.name.value.startswith("__") else depth + 1
            stack.extend((below, selection) for selection in node.selection_set.selections)
        elif isinstance(node, InlineFragmentNode):
            stack.extend((depth, selection) for selection in node.selection_set.selections)


class DocumentCache:
    """Checked documents by their text, least recently used dropped first.

    Only documents up to `max_document_bytes` are kept, so the cache holds at
    most `max_entries` of them: unique documents cannot grow a worker's memory.
    """

    def __init__(self, *, max_entries: int, max_document_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_document_bytes = max_document_bytes
        self._entries: OrderedDict[Hashable, CheckedDocument] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_check(self, key: Hashable, query: str, check: Callable[[], CheckedDocument]) -> CheckedDocument:
        """The checked document of `query` under `key` (the text and what else the check depends on)."""
        with self._lock:
            checked = self._entries.get(key)
            if checked is not None:
                self._entries.move_to_end(key)
                return checked
        checked = check()
        if len(query) <= self.max_document_bytes:
            with self._lock:
                self._entries[key] = checked
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return checked

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
