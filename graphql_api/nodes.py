"""Object identification (Relay's `Node`): a global `id` on every object type, and `node(id:)`.

A global id is the base64 of `<type>:<key>` (strawberry's `GlobalID`), so
normalised client caches (Apollo, urql) key every object with no
configuration. A type's `resolve_nodes` answers only what the caller may
see: `node(id:)` of another user's object is null, like an unknown one.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.types.cast import cast as strawberry_cast

from graphql_api.context import Info
from graphql_api.permissions import authenticated

Key = TypeVar("Key", bound=Hashable)


def nodes_in_order(
    node_ids: Iterable[str], parse: Callable[[str], Key], fetch: Callable[[list[Key]], Mapping[Key, Any]]
) -> list[Any]:
    """What `fetch` finds for each id, in the order of the ids; None for one that `parse` refuses
    (with `ValueError`) or that is not found."""
    keys: list[Key | None] = []
    for node_id in node_ids:
        try:
            keys.append(parse(node_id))
        except ValueError:
            keys.append(None)
    found = fetch([key for key in keys if key is not None])
    return [None if key is None else found.get(key) for key in keys]


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object the caller may see, by its global `id`; null when there is none.",
        extensions=authenticated(),
    )
    def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        try:
            global_id = relay.GlobalID.from_id(id)
            node_type = global_id.resolve_type(info)
        except (relay.GlobalIDValueError, ValueError):
            return None
        [found] = node_type.resolve_nodes(info=info, node_ids=[global_id.node_id])
        return None if found is None else strawberry_cast(node_type, found)
