"""Registration and tokens: the public mutations (no access token needed)."""

import strawberry

from accounts import services
from accounts.throttling import auth_attempt_throttle
from graphql_api.accounts.types import AccessToken, AuthTokens
from graphql_api.context import Info
from graphql_api.cost import Cost


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Create an account and answer its tokens.", directives=[Cost(weight=100)])
    def register(self, info: Info, username: str, password: str) -> AuthTokens:
        auth_attempt_throttle(info.context.request)
        user = services.user_register(username=username, password=password)
        return services.tokens_for_user(user=user)

    @strawberry.mutation(description="Exchange a username and password for tokens.", directives=[Cost(weight=100)])
    def obtain_token(self, info: Info, username: str, password: str) -> AuthTokens:
        auth_attempt_throttle(info.context.request)
        return services.tokens_obtain(username=username, password=password)

    @strawberry.mutation(
        description=(
            "Exchange a refresh token for a new access token and a new refresh token; the one sent no "
            "longer works (used again: UNAUTHENTICATED)."
        )
    )
    def refresh_token(self, refresh_token: str) -> AccessToken:
        # Not throttled: a refresh token cannot be guessed, and SPAs refresh often.
        return services.tokens_refresh(refresh_token=refresh_token)

    @strawberry.mutation(description="Log out: the refresh token no longer works. Needs no access token.")
    def logout(self, refresh_token: str) -> bool:
        services.tokens_revoke(refresh_token=refresh_token)
        return True
