"""`Mutation.resetRequestCount`."""

import strawberry

from graphql_api.permissions import authenticated
from metrics.services import request_count_reset


@strawberry.type
class RequestCounterMutation:
    @strawberry.mutation(
        description="Sets the request count to zero; answers the count it cleared.", extensions=authenticated()
    )
    def reset_request_count(self) -> int:
        return request_count_reset()
