"""Checks on text from clients that every app shares, and the regular expressions that describe them."""

import sys
import unicodedata
from collections.abc import Callable, Iterator
from functools import cache

# Characters no reader sees: controls, format characters (zero-width spaces, joiners, marks) and separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
SURROGATES = range(0xD800, 0xE000)


def is_unicode_text(value: str) -> bool:
    """False for strings with lone surrogates, which JSON can carry but no database can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in INVISIBLE_CATEGORIES


def is_blank(value: str) -> bool:
    """True for text with nothing visible in it: empty, white space, or only zero-width characters."""
    return all(is_invisible(char) for char in value)


@cache
def space_characters() -> str:
    """The characters `str.strip()` removes, as the body of a regular-expression character class."""
    return character_class(str.isspace)


def character_class(predicate: Callable[[str], bool]) -> str:
    r"""The code points that satisfy `predicate` as ranges (`\u0000-\u0020`), read alike in ECMA-262, Python and Rust.

    Letters and digits of ASCII are written as they are, other characters of the Basic Multilingual Plane
    escaped, and those past it as they are (escapes of them differ between dialects).
    """
    return "".join(
        _escape(first) if first == last else f"{_escape(first)}-{_escape(last)}" for first, last in _ranges(predicate)
    )


def _ranges(predicate: Callable[[str], bool]) -> Iterator[tuple[int, int]]:
    start = None
    for code_point in range(sys.maxunicode + 2):
        inside = code_point <= sys.maxunicode and code_point not in SURROGATES and predicate(chr(code_point))
        if inside and start is None:
            start = code_point
        elif not inside and start is not None:
            yield start, code_point - 1
            start = None


def _escape(code_point: int) -> str:
    # Escapes read alike in every dialect only up to `\uffff` in every dialect: past it, the character.
    if code_point > 0xFFFF or (chr(code_point).isascii() and chr(code_point).isalnum()):
        return chr(code_point)
    return f"\\u{code_point:04x}"
