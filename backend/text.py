"""Checks on text from clients that every app shares."""


def is_unicode_text(value: str) -> bool:
    """False for strings with lone surrogates, which JSON can carry but no database can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
