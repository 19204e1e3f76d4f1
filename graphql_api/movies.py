"""Placeholder: movie catalog fields (issue 3)."""

import strawberry


@strawberry.type
class MovieQuery:
    pass
