"""Checks on text from clients that every app shares."""

import unicodedata

# Characters no reader sees: controls, format characters (zero-width spaces, joiners, marks) and separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def is_unicode_text(value: str) -> bool:
    """False for strings with lone surrogates, which JSON can carry but no database can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_blank(value: str) -> bool:
    """True for text with nothing visible in it: empty, white space, or only zero-width characters."""
    return all(char.isspace() or unicodedata.category(char) in INVISIBLE_CATEGORIES for char in value)
