"""Schema extensions of our own."""

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from graphql_api.errors import GRAPHQL_VALIDATION_FAILED, INTERNAL_SERVER_ERROR, ApiError


def is_unexpected(error: GraphQLError) -> bool:
    """Errors raised by our code that are not `ApiError`s (bugs, outages).

    Validation and limit errors have no original error and keep their message.
    """
    return error.original_error is not None and not isinstance(error.original_error, ApiError)


class ErrorCodes(MaskErrors):
    """Every error gets an `extensions.code`; unexpected ones are masked."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message="An unexpected error occurred.")

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._with_code(error) for error in super()._process_errors(errors)]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL_SERVER_ERROR}
        return masked

    @staticmethod
    def _with_code(error: GraphQLError) -> GraphQLError:
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": GRAPHQL_VALIDATION_FAILED}
        return error
