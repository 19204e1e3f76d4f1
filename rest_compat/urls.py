"""REST routes; each path works with and without its trailing slash."""

from django.urls import re_path

from rest_compat import routes
from rest_compat.views import GraphQLShimView

# Any one segment: the view authenticates first, then tells a malformed uuid apart (404 as an unknown one).
COLLECTION = r"(?P<collection_uuid>[^/]+)"

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
    re_path(r"^logout/?$", GraphQLShimView.for_routes({"post": routes.LOGOUT}, public=True), name="logout"),
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
        rf"^collections/{COLLECTION}/?$",
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
