"""A secret key of the checkout's own for development (`DEBUG` on, no `SECRET_KEY` set)."""

import os
import secrets
from pathlib import Path


def checkout_secret_key(path: Path) -> str:
    """The key kept in `path`; made first (readable by its owner only) when there is none.

    Processes starting together agree: each writes a candidate of its own and
    links it into place, which only the first link does.
    """
    if not path.exists():
        candidate = path.with_name(f"{path.name}.{os.getpid()}")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink()
    return path.read_text(encoding="ascii").strip()
