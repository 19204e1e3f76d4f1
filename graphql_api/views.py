"""The GraphQL endpoint: bearer tokens only, JSON answers only."""

import json
from typing import Any

from cross_web import HTTPException
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed
from strawberry.django.views import GraphQLView
from strawberry.http import GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from accounts.authentication import INVALID_TOKEN, authenticate_bearer
from backend.problems import PRESERVED_HEADERS, PROBLEM_CONTENT_TYPE, problem_response
from graphql_api.context import Context
from graphql_api.errors import BAD_REQUEST, RATE_LIMITED, UNAUTHENTICATED

# Strawberry's reason for a body that is neither JSON nor (enabled) multipart.
STRAWBERRY_UNSUPPORTED_CONTENT_TYPE = "Unsupported content type"
# GraphQL over HTTP's own media type: a client that accepts it reads the body whatever the status
# (Apollo Client 4 reads an `application/json` body only with a 2xx).
GRAPHQL_RESPONSE_CONTENT_TYPE = "application/graphql-response+json"
CONTENT_TYPE = f"{GRAPHQL_RESPONSE_CONTENT_TYPE}; charset=utf-8"
# What GraphQL clients ask for. A browser prefers text/html to both: it gets GraphiQL.
GRAPHQL_MEDIA_TYPES = (GRAPHQL_RESPONSE_CONTENT_TYPE, "application/json")
HTML = "text/html"


def graphql_error_response(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JsonResponse:
    """A problem document that GraphQL clients read too: `errors` holds a GraphQL error."""
    errors = [{"message": message, "extensions": {"code": code}}]
    return problem_response(status, message, errors=errors, headers=headers)


def as_graphql_response(response: HttpResponse) -> HttpResponse:
    """`response` as `application/graphql-response+json`: a problem document becomes its GraphQL
    errors, with the same status and headers; GraphiQL's page and other answers stay as they are."""
    content_type = response.get("Content-Type", "")
    if content_type.startswith(PROBLEM_CONTENT_TYPE):
        errors = json.loads(response.content)["errors"]
        headers = {name: response[name] for name in PRESERVED_HEADERS if response.has_header(name)}
        return JsonResponse({"errors": errors}, status=response.status_code, headers=headers, content_type=CONTENT_TYPE)
    if content_type.startswith("application/json"):
        response["Content-Type"] = CONTENT_TYPE
    return response


# Exempt from CSRF because it never trusts a session cookie: only a bearer token
# authenticates, and a cross-site page cannot make a browser send one.
@method_decorator(csrf_exempt, name="dispatch")
class ApiGraphQLView(GraphQLView):
    caller: AbstractBaseUser | AnonymousUser

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = self.answer(request)
        if GRAPHQL_RESPONSE_CONTENT_TYPE in request.headers.get("Accept", ""):
            response = as_graphql_response(response)
        # The Accept header picks GraphiQL or a result, and the media type: caches must keep them apart.
        patch_vary_headers(response, ["Accept"])
        return response

    def answer(self, request: HttpRequest) -> HttpResponse:
        try:
            self.caller = authenticate_bearer(request) or AnonymousUser()
        except AuthenticationFailed:
            headers = {"WWW-Authenticate": 'Bearer realm="api"'}
            return graphql_error_response(401, INVALID_TOKEN, UNAUTHENTICATED, headers)
        request.user = self.caller  # the caller the access log names (never the session's)
        try:
            return self.run(request=request)
        except HTTPException as error:
            return self.http_error_response(error)

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """GraphiQL for a browser, whatever the query string says (the page prefills its editor from it).

        Strawberry executes `GET /graphql/?query=...` even for a browser, so a
        reload or a shared link of a page that had put its editor in the
        address bar answered JSON. Other clients keep strawberry's rule.
        """
        if request.method == "GET" and self.request.get_preferred_type([*GRAPHQL_MEDIA_TYPES, HTML]) == HTML:
            return True
        return super().should_render_graphql_ide(request)

    def get_context(self, request: HttpRequest, response: HttpResponse) -> Context:
        return Context(request=request, user=self.caller, response=response)

    def execute_single(
        self, *args: Any, context: Context, request_data: GraphQLRequestData, **kwargs: Any
    ) -> ExecutionResult:
        # Strawberry runs the document's first operation when none is named; the spec wants an error
        # for a document of several (`OperationChecks` tells them apart by the name the client gave).
        context.operation_name = request_data.operation_name
        result = super().execute_single(*args, context=context, request_data=request_data, **kwargs)
        if result.data is None and result.errors and result.errors[0].extensions.get("code") == RATE_LIMITED:
            # Refused for its rate: 429 with Retry-After, as REST answers.
            context.response.status_code = 429
            context.response["Retry-After"] = str(result.errors[0].extensions["retryAfter"])
        return result

    @staticmethod
    def http_error_response(error: HTTPException) -> JsonResponse:
        status, headers = error.status_code, None
        if status == 405:
            headers = {"Allow": "GET, POST"}
        elif isinstance(error.__cause__, InvalidOperationTypeError):
            # GraphQL over HTTP: a mutation over GET is a wrong method, not a bad request.
            status, headers = 405, {"Allow": "POST"}
        elif error.reason == STRAWBERRY_UNSUPPORTED_CONTENT_TYPE:
            status = 415
        return graphql_error_response(status, error.reason, BAD_REQUEST, headers)

    def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        try:
            return super().parse_http_body(request)
        except UnicodeDecodeError as error:
            raise HTTPException(400, "The request body is not valid UTF-8.") from error

    def decode_json(self, data: str | bytes) -> object:
        """Strawberry's JSON decoding, refusing what it would answer with a 500.

        Used for the request body and for GET's `variables` and `extensions`;
        `null` stands for "none given" in each.
        """
        try:
            value = json.loads(data)
        except RecursionError as error:
            raise HTTPException(400, "The JSON document is nested too deeply.") from error
        if value is None:
            return {}
        if not isinstance(value, dict | list):
            raise HTTPException(400, "Expected a JSON object.")
        return value
