"""REST routes; each path works with and without its trailing slash."""

from django.urls import re_path

from rest_compat import routes
from rest_compat.views import GraphQLShimView

UUID_PATTERN = r"(?P<collection_uuid>[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})"

urlpatterns = [
    re_path(r"^request-count/?$", GraphQLShimView.for_routes({"get": routes.REQUEST_COUNT}), name="request-count"),
    re_path(
        r"^request-count/reset/?$",
        GraphQLShimView.for_routes({"post": routes.REQUEST_COUNT_RESET}),
        name="request-count-reset",
    ),
    re_path(r"^movies/?$", GraphQLShimView.for_routes({"get": routes.MOVIES_PAGE}), name="movies"),
    re_path(r"^register/?$", GraphQLShimView.for_routes({"post": routes.REGISTER}, public=True), name="register"),
    re_path(r"^token/?$", GraphQLShimView.for_routes({"post": routes.OBTAIN_TOKEN}, public=True), name="token"),
    re_path(
        r"^token/refresh/?$",
        GraphQLShimView.for_routes({"post": routes.REFRESH_TOKEN}, public=True),
        name="token-refresh",
    ),
    re_path(
        r"^collections/?$",
        GraphQLShimView.for_routes({"get": routes.COLLECTION_LIST, "post": routes.COLLECTION_CREATE}),
        name="collections",
    ),
    re_path(
        rf"^collections/{UUID_PATTERN}/?$",
        GraphQLShimView.for_routes(
            {
                "get": routes.COLLECTION_DETAIL,
                "put": routes.COLLECTION_UPDATE,
                "patch": routes.COLLECTION_UPDATE,
                "delete": routes.COLLECTION_DELETE,
            }
        ),
        name="collection-detail",
    ),
]
