"""The project's routes and one that fails, to count an unexpected error."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from backend.urls import handler400, handler403, handler404, handler500
from backend.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("fail/", fail), *project_urlpatterns]
