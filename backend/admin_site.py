"""The admin site, with the login attempt bound of the token endpoints."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse

from accounts.throttling import Throttled, auth_attempt_throttle
from backend.problems import problem_response


class ThrottledAdminSite(admin.AdminSite):
    """Django's admin site whose login takes at most `AUTH_THROTTLE_PER_MINUTE` attempts per client address.

    Each submitted login form counts against the bound the registration and
    token endpoints share, so the admin adds no attempts to a guesser's
    budget; past it, every login (a right password too) answers 429 with
    `Retry-After` until the minute is over.
    """

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method == "POST":
            try:
                auth_attempt_throttle(request)
            except Throttled as refused:
                return problem_response(429, str(refused), headers={"Retry-After": str(refused.retry_after)})
        return super().login(request, extra_context)


class ThrottledAdminConfig(AdminConfig):
    """Installs `ThrottledAdminSite` as `admin.site` (in `INSTALLED_APPS` instead of `django.contrib.admin`)."""

    default_site = "backend.admin_site.ThrottledAdminSite"
