"""Who may call what, declared on the fields themselves.

Every root field either takes `extensions=authenticated()` or is one of the
few public ones (registration and tokens); a test holds the schema to it.
"""

from typing import Any

from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension

from graphql_api.context import Info
from graphql_api.errors import Unauthenticated


class IsAuthenticated(BasePermission):
    """The caller has a valid access token; UNAUTHENTICATED otherwise."""

    message = Unauthenticated.default_message
    error_class = Unauthenticated

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.user.is_authenticated


def authenticated() -> list[FieldExtension]:
    """The field extensions of a field that needs a signed-in caller (checked before its arguments)."""
    return [PermissionExtension(permissions=[IsAuthenticated()])]
