"""GraphQL types of accounts: fields only. Resolvers return `accounts` objects; these read their attributes."""

from datetime import datetime

import strawberry


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
class UserType:
    """Resolved from the user model."""

    username: str
    date_joined: datetime
