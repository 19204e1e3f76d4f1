"""GraphQL types of accounts: fields only. Resolvers return `accounts` objects; these read their attributes."""

from datetime import datetime

import strawberry
import strawberry_django
from django.contrib.auth import get_user_model


@strawberry.type(description="Tokens of a signed-in user.")
class AuthTokens:
    """Resolved from `accounts.services.TokenPair`."""

    access_token: str = strawberry.field(description="Authenticates requests: `Authorization: Bearer <token>`.")
    refresh_token: str = strawberry.field(description="Exchanged for a new access token by `refreshToken`.")


@strawberry.type
class AccessToken:
    access_token: str


@strawberry_django.type(get_user_model(), name="User")
class UserType:
    username: str
    date_joined: datetime
