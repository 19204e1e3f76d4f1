"""`Query.me`."""

import strawberry

from graphql_api.accounts.types import UserType
from graphql_api.context import Info
from graphql_api.permissions import authenticated


@strawberry.type
class AccountQuery:
    @strawberry.field(description="The authenticated caller.", extensions=authenticated())
    def me(self, info: Info) -> UserType:
        return info.context.user
