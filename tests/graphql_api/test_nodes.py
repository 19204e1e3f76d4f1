"""Object identification: a global `id` on every object type, `node(id:)`, and what it gives a normalised cache."""

import base64
import dataclasses
from typing import Any

import pytest

from tests.factories import CollectionFactory, MovieFactory

pytestmark = pytest.mark.django_db

NODE = "query ($id: ID!) { node(id: $id) { __typename id ... on Collection { title } ... on User { username } } }"
LIST = """
{ collections(pagination: {limit: 10}) {
    results { __typename id title movies(limit: 10) { __typename id uuid title } }
} }
"""
UPDATE = """
mutation ($uuid: UUID!, $title: String!) {
  updateCollection(uuid: $uuid, input: {title: $title}) { __typename id title }
}
"""


def global_id(type_name: str, key: object) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def test_a_collection_and_its_entries_carry_global_ids(graphql, user):
    collection = CollectionFactory(owner=user, movies=MovieFactory.build_batch(2))
    entries = list(collection.movies.order_by("position"))

    status, body = graphql(LIST, user=user)

    assert status == 200, body
    assert "errors" not in body, body
    [answered] = body["data"]["collections"]["results"]
    assert answered["id"] == global_id("Collection", collection.uuid)
    assert [movie["id"] for movie in answered["movies"]] == [global_id("CollectionMovie", e.pk) for e in entries]


def test_node_fetches_the_callers_objects_by_id(graphql, user):
    collection = CollectionFactory(owner=user, title="Mine")

    _, by_collection = graphql(NODE, {"id": global_id("Collection", collection.uuid)}, user=user)
    _, by_user = graphql(NODE, {"id": global_id("User", user.pk)}, user=user)

    assert by_collection == {
        "data": {"node": {"__typename": "Collection", "id": global_id("Collection", collection.uuid), "title": "Mine"}}
    }
    assert by_user == {
        "data": {"node": {"__typename": "User", "id": global_id("User", user.pk), "username": user.username}}
    }


def test_node_of_an_entry_answers_it_with_its_genres(graphql, user):
    collection = CollectionFactory(owner=user, movies=[MovieFactory.build(title="Heat", genres=("Crime", "Drama"))])
    entry = collection.movies.get()
    query = "query ($id: ID!) { node(id: $id) { ... on CollectionMovie { uuid title genres } } }"

    _, body = graphql(query, {"id": global_id("CollectionMovie", entry.pk)}, user=user)

    assert body == {"data": {"node": {"uuid": str(entry.movie_uuid), "title": "Heat", "genres": ["Crime", "Drama"]}}}


@pytest.mark.parametrize(
    "node_id",
    [
        pytest.param(None, id="another user's collection"),
        pytest.param(global_id("Collection", "not-a-uuid"), id="malformed key"),
        pytest.param(global_id("CollectionPage", "1"), id="not a node type"),
        pytest.param(global_id("Nothing", "1"), id="unknown type"),
        pytest.param("%%%", id="not base64"),
        pytest.param(global_id("Movie", "5d2a4a5e-51b6-4b35-a1a4-6bd0e4a7d51f"), id="a catalog movie"),
    ],
)
def test_node_answers_null_for_what_the_caller_cannot_see(graphql, user, other_user, node_id):
    if node_id is None:
        node_id = global_id("Collection", CollectionFactory(owner=other_user).uuid)

    status, body = graphql(NODE, {"id": node_id}, user=user)

    assert (status, body) == (200, {"data": {"node": None}})


def test_node_needs_a_token(graphql, user):
    status, body = graphql(NODE, {"id": global_id("User", user.pk)})

    assert status == 200
    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]


class NormalisedCache:
    """What Apollo Client's and urql's default caches do: one record per `__typename:id`, merged on write."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}

    def write(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.write(item) for item in value]
        if not isinstance(value, dict):
            return value
        fields = {name: self.write(item) for name, item in value.items()}
        if "id" not in fields:
            return fields
        key = f"{fields['__typename']}:{fields['id']}"
        self.records.setdefault(key, {}).update(fields)
        return {"__ref": key}

    def read(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.read(item) for item in value]
        if isinstance(value, dict):
            record = self.records[value["__ref"]] if "__ref" in value else value
            return {name: self.read(item) for name, item in record.items()}
        return value


def test_a_normalised_cache_shows_an_update_in_a_list_read_before(graphql, user):
    collection = CollectionFactory(owner=user, title="Before")
    cache = NormalisedCache()
    listed = cache.write(graphql(LIST, user=user)[1]["data"])

    cache.write(graphql(UPDATE, {"uuid": str(collection.uuid), "title": "After"}, user=user)[1]["data"])

    assert [c["title"] for c in cache.read(listed)["collections"]["results"]] == ["After"]


def test_a_normalised_cache_keeps_one_movie_apart_in_two_collections(graphql, user):
    movie = MovieFactory.build(title="As sent first")
    CollectionFactory(owner=user, movies=[movie])
    CollectionFactory(owner=user, movies=[dataclasses.replace(movie, title="As sent second")])
    cache = NormalisedCache()

    listed = cache.read(cache.write(graphql(LIST, user=user)[1]["data"]))

    titles = [[m["title"] for m in c["movies"]] for c in listed["collections"]["results"]]
    assert titles == [["As sent second"], ["As sent first"]]
