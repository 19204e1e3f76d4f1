"""Routes: GraphQL, the REST shims, health, metrics, OpenAPI docs and the admin (at `ADMIN_URL`)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend import problems
from backend.health import health
from graphql_api.schema import schema
from graphql_api.views import ApiGraphQLView
from metrics.views import metrics

handler400 = problems.bad_request
handler403 = problems.permission_denied
handler404 = problems.not_found
handler500 = problems.server_error

graphql_view = ApiGraphQLView.as_view(schema=schema)

urlpatterns = [
    re_path(r"^graphql/?$", graphql_view, name="graphql"),
    re_path(r"^health/?$", health, name="health"),
    re_path(r"^metrics/?$", metrics, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="openapi-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="openapi-docs"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("rest_compat.urls")),
]
