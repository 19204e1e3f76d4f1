"""Migrations that move data keep it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _latest_schema_afterwards():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


BEFORE = [("collections", "0001_initial")]
AFTER = [("collections", "0002_genre_names_with_entries")]


def test_genre_names_move_onto_the_entries_in_their_order():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    owner = old.get_model("auth", "User").objects.create(username="owner")
    collection = old.get_model("collections", "Collection").objects.create(owner=owner, title="T")
    entry = old.get_model("collections", "CollectionMovie").objects.create(
        collection=collection, position=0, movie_uuid="00000000-0000-0000-0000-000000000001", title="Heat"
    )
    genre_model = old.get_model("collections", "Genre")
    crime, drama = genre_model.objects.create(name="Crime"), genre_model.objects.create(name="Drama")
    link_model = old.get_model("collections", "CollectionMovieGenre")
    link_model.objects.create(entry=entry, genre=drama, position=0)
    link_model.objects.create(entry=entry, genre=crime, position=1)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps

    genres = new.get_model("collections", "CollectionMovieGenre").objects.filter(entry_id=entry.pk)
    assert list(genres.order_by("position").values_list("name", flat=True)) == ["Drama", "Crime"]
