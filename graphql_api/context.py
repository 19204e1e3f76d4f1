"""What every resolver may know of its request: one `Context`, built once per request."""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from strawberry.django.views import TemporalHttpResponse
from strawberry.types import Info as StrawberryInfo


@dataclass
class Context:
    """The request, its caller, and state that lives as long as the request.

    `/graphql/` builds it from the bearer token; the REST shims from what DRF
    authenticated. `response` lets a resolver set headers or a status.
    """

    request: HttpRequest
    user: AbstractBaseUser | AnonymousUser
    response: TemporalHttpResponse = field(default_factory=TemporalHttpResponse)
    _movies_deadline: float | None = field(default=None, init=False, repr=False)

    @property
    def movies_deadline(self) -> float:
        """One upstream deadline for the whole request (`time.monotonic()`): aliased `movies` fields
        share it, so their waits cannot add up."""
        if self._movies_deadline is None:
            self._movies_deadline = time.monotonic() + settings.MOVIES_API_DEADLINE_SECONDS
        return self._movies_deadline


Info = StrawberryInfo[Context, None]
