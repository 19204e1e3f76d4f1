"""Who may call what: resolvers ask here, so both faces share the rule."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from graphql_api.errors import Unauthenticated


def require_user(info: Any) -> AbstractBaseUser:
    """The authenticated caller; `Unauthenticated` for an anonymous one."""
    user = getattr(info.context.request, "user", None)
    if user is None or not user.is_authenticated:
        raise Unauthenticated
    return user
