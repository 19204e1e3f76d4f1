"""The GraphQL endpoint: bearer tokens only, JSON answers only."""

from typing import Any

from cross_web import HTTPException
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed
from strawberry.django.views import GraphQLView

from accounts.authentication import authenticate_bearer
from backend.problems import problem_response
from graphql_api.errors import BAD_REQUEST, UNAUTHENTICATED


def graphql_error_response(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JsonResponse:
    """A problem document that GraphQL clients read too: `errors` holds a GraphQL error."""
    errors = [{"message": message, "extensions": {"code": code}}]
    return problem_response(status, message, errors=errors, headers=headers)


# Exempt from CSRF because it never trusts a session cookie: only a bearer token
# authenticates, and a cross-site page cannot make a browser send one.
@method_decorator(csrf_exempt, name="dispatch")
class ApiGraphQLView(GraphQLView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            request.user = authenticate_bearer(request) or AnonymousUser()
        except AuthenticationFailed:
            headers = {"WWW-Authenticate": 'Bearer realm="api"'}
            return graphql_error_response(401, "The access token is invalid or expired.", UNAUTHENTICATED, headers)
        try:
            return self.run(request=request)
        except HTTPException as error:
            headers = {"Allow": "GET, POST"} if error.status_code == 405 else None
            return graphql_error_response(error.status_code, error.reason, BAD_REQUEST, headers)
