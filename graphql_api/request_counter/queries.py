"""`Query.requestCount`."""

import strawberry

from graphql_api.permissions import authenticated
from metrics.selectors import request_count_get


@strawberry.type
class RequestCounterQuery:
    @strawberry.field(
        description="Requests served by the whole deployment since the last reset, this request included.",
        extensions=authenticated(),
    )
    def request_count(self) -> int:
        return request_count_get()
