"""Seeds the benchmark's database: `python -m benchmarks.seed` prints what the scenarios need (JSON).

A reader with 50 collections of 3 movies and one of 1,000, a writer, and
1,000 other users (one password hash for all: hashing is the slow part).
"""

import json
import os
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts.services import tokens_for_user  # noqa: E402
from movie_collections.services import collection_create  # noqa: E402
from movies.demo_catalog import GENRE_NAMES  # noqa: E402
from movies.types import Movie  # noqa: E402

PASSWORD = "benchmark-password-of-every-user"  # noqa: S105 - users of a throwaway database
OTHER_USERS = 1000


def movies(count: int) -> list[Movie]:
    return [
        Movie(
            uuid=uuid.uuid4(),
            title=f"Movie {index}",
            description="A movie of the benchmark. " * 4,
            genres=(GENRE_NAMES[index % 20], GENRE_NAMES[(index * 7) % 20]),
        )
        for index in range(count)
    ]


def main() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    user_model = get_user_model()
    password = make_password(PASSWORD)
    user_model.objects.bulk_create(
        user_model(username=f"other-{index}", password=password) for index in range(OTHER_USERS)
    )
    reader = user_model.objects.create(username="reader", password=password)
    writer = user_model.objects.create(username="writer", password=password)
    for index in range(50):
        collection_create(owner=reader, title=f"Collection {index}", description="Of three.", movies=movies(3))
    big = collection_create(owner=reader, title="Big", description="Of a thousand.", movies=movies(1000))
    print(
        json.dumps(
            {
                "reader_token": tokens_for_user(user=reader).access_token,
                "writer_token": tokens_for_user(user=writer).access_token,
                "username": "other-0",
                "password": PASSWORD,
                "big_collection": str(big.uuid),
                "new_collection": {"title": "New", "movies": [_rest(movie) for movie in movies(20)]},
            }
        )
    )


def _rest(movie: Movie) -> dict[str, str]:
    """The movie as a REST client sends it."""
    genres = ",".join(movie.genres)
    return {"uuid": str(movie.uuid), "title": movie.title, "description": movie.description, "genres": genres}


if __name__ == "__main__":
    main()
