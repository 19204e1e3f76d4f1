"""Cost curves: time and SQL queries of the collections list and favourite genres as a user's data grows.

`python -m benchmarks.curves` (with the benchmark's environment) prints a
Markdown table for 10, 100, 1,000 and 10,000 movie entries (collections of 10
movies, 2 genres each) and the query plan of favourite genres at the largest.
`run(env)` does that in a fresh process and answers the text.
"""

import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SIZES = (10, 100, 1_000, 10_000)
MOVIES_PER_COLLECTION = 10
REPEATS = 5


def run(env: dict[str, str]) -> str:
    """The curves, measured in a process of their own on the benchmark's database."""
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.curves"], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True
    ).stdout


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.services import tokens_for_user
    from movie_collections.selectors import favourite_genres
    from movie_collections.services import collection_create
    from movies.demo_catalog import GENRE_NAMES
    from movies.types import Movie

    def timed(call: object) -> tuple[float, int, list[str]]:
        times, queries = [], []
        for _ in range(REPEATS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            queries = [query["sql"] for query in captured.captured_queries]
        return statistics.median(times) * 1000, len(queries), queries

    rows = [
        "| movie entries | `GET /collections/` ms | its SQL queries | favourite genres ms | its SQL queries |",
        "|---:|---:|---:|---:|---:|",
    ]
    plan = ""
    for size in SIZES:
        owner = get_user_model().objects.create_user(f"curve-{size}-{uuid.uuid4().hex[:6]}")
        for start in range(0, size, MOVIES_PER_COLLECTION):
            movies = [
                Movie(uuid=uuid.uuid4(), title=f"M{i}", genres=(GENRE_NAMES[i % 20], GENRE_NAMES[(i * 3) % 20]))
                for i in range(start, min(size, start + MOVIES_PER_COLLECTION))
            ]
            collection_create(owner=owner, title=f"C{start}", movies=movies)
        token = tokens_for_user(user=owner).access_token
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")
        list_ms, list_queries, _ = timed(lambda client=client: client.get("/collections/"))
        genres_ms, genres_queries, sql = timed(lambda owner=owner: favourite_genres(owner=owner))
        rows.append(f"| {size:,} | {list_ms:.1f} | {list_queries} | {genres_ms:.1f} | {genres_queries} |")
        if size == SIZES[-1] and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql[0])
                plan = "\n".join(row[0] for row in cursor.fetchall())
    print("\n".join(rows))
    if plan:
        print(f"\nFavourite genres of the user with {SIZES[-1]:,} entries, PostgreSQL's plan:\n\n```\n{plan}\n```")


if __name__ == "__main__":
    sys.path.insert(0, str(BASE_DIR))
    main()
