"""The REST shims of the request counter, over `Query.requestCount` and `Mutation.resetRequestCount`.

Live beside the app until they join `rest_compat.routes`; the route lines
are in `rest_compat/urls.py`.
"""

from rest_framework import serializers

from rest_compat.views import OperationRoute

RESET_MESSAGE = "request count reset successfully"


class RequestCountSerializer(serializers.Serializer):
    requests = serializers.IntegerField(help_text="Requests served since the last reset, this one included.")


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


REQUEST_COUNT = OperationRoute(
    "request_count",
    to_body=lambda data: {"requests": data["requestCount"]},
    response_serializer=RequestCountSerializer,
    summary="Requests served by the whole deployment since the last reset, this one included.",
)
REQUEST_COUNT_RESET = OperationRoute(
    "request_count_reset",
    to_body=lambda data: {"message": RESET_MESSAGE},
    response_serializer=MessageSerializer,
    summary="Set the request count to zero.",
)
