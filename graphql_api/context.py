"""What every resolver may know of its request: one `Context`, built once per request."""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from strawberry.django.views import TemporalHttpResponse
from strawberry.types import Info as StrawberryInfo

from accounts.throttling import client_address


@dataclass
class Context:
    """The request, its caller, and state that lives as long as the request.

    `/graphql/` builds it from the bearer token; the REST shims from what DRF
    authenticated. `response` lets a resolver set headers or a status.
    """

    request: HttpRequest
    user: AbstractBaseUser | AnonymousUser
    response: TemporalHttpResponse = field(default_factory=TemporalHttpResponse)
    # The operation the client named; None asks for the document's only operation.
    operation_name: str | None = None
    started: float = field(default_factory=time.monotonic)
    # When the request must stop running (`time.monotonic()`): `GRAPHQL_DEADLINE_SECONDS` after it began.
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = self.started + settings.GRAPHQL_DEADLINE_SECONDS

    @property
    def movies_deadline(self) -> float:
        """One upstream deadline for the whole request: aliased `movies` fields share it, so their
        waits cannot add up; never past the request's own deadline."""
        return min(self.deadline, self.started + settings.MOVIES_API_DEADLINE_SECONDS)

    @property
    def caller_key(self) -> str:
        """Whose cost bucket pays for the request: the user's, or the client address's when anonymous."""
        if self.user.is_authenticated:
            return f"user:{self.user.pk}"
        return f"address:{client_address(self.request)}"


Info = StrawberryInfo[Context, None]
