r"""What the services accept, as JSON Schema for the OpenAPI document.

Each function answers the schema keywords of one request field, derived
from the rule it describes (the services' constants, settings, Django's
validators), so the document and the server cannot drift apart.
`tests/rest_compat/test_openapi_document.py` checks that a value matches
these keywords exactly when the server accepts it.

Patterns are ECMA-262 as OpenAPI asks, in the subset Python and Rust read
alike (`backend.text.character_class`).
"""

import re
import unicodedata
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    MinimumLengthValidator,
    NumericPasswordValidator,
    get_default_password_validators,
)

from accounts.services import PASSWORD_MAX_LENGTH
from backend.text import character_class, is_invisible, space_characters
from movie_collections.models import DESCRIPTION_MAX_LENGTH, GENRE_MAX_LENGTH, TITLE_MAX_LENGTH

Schema = dict[str, Any]

NO_NULL = r"\u0000"
# Django's `UnicodeUsernameValidator`, applied after NFKC normalisation (`user_register`).
USERNAME_CHARACTER = re.compile(r"[\w.@+-]")


def title() -> Schema:
    """A title: no NUL, something visible (not only spaces or zero-width characters), at most 255 characters."""
    # Past U+FFFF the class leaves out the few format characters there (tag characters and the like), which
    # `is_blank` also ignores: schemathesis cannot draw from a class of such ranges once it bounds the length.
    visible = f"[^{invisible_bmp_characters()}]"
    return {"minLength": 1, "maxLength": TITLE_MAX_LENGTH, "pattern": f"^[^{NO_NULL}]*{visible}[^{NO_NULL}]*$"}


@cache
def invisible_bmp_characters() -> str:
    return character_class(lambda char: char <= "\uffff" and is_invisible(char))


def description() -> Schema:
    return {"maxLength": DESCRIPTION_MAX_LENGTH, "pattern": f"^[^{NO_NULL}]*$"}


def genres() -> Schema:
    """Comma-separated names, each at most 100 characters once trimmed, no NUL; blank ones are dropped."""
    spaces = f"[{space_characters()}]"
    edge = f"[^,{NO_NULL}{space_characters()}]"
    name = f"{spaces}*(?:{edge}(?:[^,{NO_NULL}]{{0,{GENRE_MAX_LENGTH - 2}}}{edge})?)?{spaces}*"
    return {"pattern": f"^{name}(?:,{name})*$"}


def movies() -> Schema:
    return {"maxItems": settings.MOVIES_PER_COLLECTION_LIMIT}


def username() -> Schema:
    """Letters and digits of any script and `_.@+-` (Django's username validator), at most 150 characters."""
    max_length = get_user_model()._meta.get_field("username").max_length
    return {"minLength": 1, "maxLength": max_length, "pattern": f"^[{username_characters()}]+$"}


@cache
def username_characters() -> str:
    return character_class(lambda char: all(map(USERNAME_CHARACTER.fullmatch, unicodedata.normalize("NFKC", char))))


def password() -> Schema:
    """What the configured validators that look at the password alone ask: a length, not only digits."""
    validators = get_default_password_validators()
    min_lengths = [v.min_length for v in validators if isinstance(v, MinimumLengthValidator)]
    schema: Schema = {"minLength": max(min_lengths, default=0), "maxLength": PASSWORD_MAX_LENGTH}
    if any(isinstance(v, NumericPasswordValidator) for v in validators):
        schema["pattern"] = non_digit()
    return schema


@cache
def non_digit() -> str:
    """At least one character that is not a digit (`NumericPasswordValidator` refuses `str.isdigit()`)."""
    return f"[^{character_class(str.isdigit)}]"
