"""The project's routes plus `GET /bench/ping/`, a view that does nothing."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from backend.urls import handler400, handler403, handler404, handler500
from backend.urls import urlpatterns as project_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/ping/", ping), *project_urlpatterns]
