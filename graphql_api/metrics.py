"""The request counter: `Query.requestCount`, `Mutation.resetRequestCount`."""

import strawberry
from strawberry.types import Info

from graphql_api.errors import ServiceUnavailable
from graphql_api.permissions import require_user
from metrics.selectors import request_count_get
from metrics.services import request_count_reset
from metrics.stores import CounterUnavailable

STORE_UNAVAILABLE = "The request counter's store is unavailable."


@strawberry.type
class MetricsQuery:
    @strawberry.field(
        description="Requests served by the whole deployment since the last reset, this request included."
    )
    def request_count(self, info: Info) -> int:
        require_user(info)
        try:
            return request_count_get()
        except CounterUnavailable as error:
            raise ServiceUnavailable(STORE_UNAVAILABLE) from error


@strawberry.type
class MetricsMutation:
    @strawberry.mutation(description="Sets the request count to zero; answers the count it cleared.")
    def reset_request_count(self, info: Info) -> int:
        require_user(info)
        try:
            return request_count_reset()
        except CounterUnavailable as error:
            raise ServiceUnavailable(STORE_UNAVAILABLE) from error
