"""Small middleware of the whole site."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class HeadWithoutBodyMiddleware:
    """Answers HEAD as GET without the body (RFC 9110, section 9.3.2).

    Django's views render the body of a HEAD request as for GET; gunicorn
    drops it, with a warning in the log for every such request. Sits above
    `CommonMiddleware`, so the `Content-Length` of the GET stays.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []
            else:
                response.content = b""
        return response
