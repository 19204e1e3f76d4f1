"""GraphQL types of accounts: fields only. Resolvers return `accounts` objects; these read their attributes."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from django.contrib.auth.base_user import AbstractBaseUser
from strawberry import relay

from graphql_api.context import Info


@strawberry.type(description="Tokens of a signed-in user.")
class AuthTokens:
    """Resolved from `accounts.services.TokenPair`."""

    access_token: str = strawberry.field(description="Authenticates requests: `Authorization: Bearer <token>`.")
    refresh_token: str = strawberry.field(description="Exchanged for a new access token by `refreshToken`.")


@strawberry.type(description="The tokens of a refresh: the refresh token sent no longer works.")
class AccessToken:
    """Resolved from `accounts.services.TokenPair`."""

    access_token: str
    refresh_token: str = strawberry.field(description="Use it for the next refresh: each refresh token works once.")


@strawberry.type(name="User")
class UserType(relay.Node):
    """Resolved from the user model."""

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, AbstractBaseUser)

    username: str
    date_joined: datetime

    @classmethod
    def resolve_id(cls, root: Any, *, info: Info) -> str:
        return str(root.pk)

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        """Only the caller is a `User` node the caller may see."""
        user = info.context.user
        return [user if node_id == str(user.pk) else None for node_id in node_ids]
