import uuid

import pytest

from movie_collections.models import Collection
from tests.factories import CollectionFactory, MovieFactory, UserFactory

pytestmark = pytest.mark.django_db

COLLECTIONS = """
query ($offset: Int, $limit: Int) {
  collections(pagination: {offset: $offset, limit: $limit}) {
    totalCount
    results { uuid title movies(limit: 3) { uuid title genres } }
  }
}
"""
COLLECTION = "query ($uuid: UUID!) { collection(uuid: $uuid) { uuid title description movies { title genres } } }"
FAVOURITES = "query ($limit: Int!) { favouriteGenres(limit: $limit) { name count } }"
CREATE = """
mutation ($input: CollectionCreateInput!) {
  createCollection(input: $input) { uuid title description movies { uuid title description genres } }
}
"""
UPDATE = """
mutation ($uuid: UUID!, $input: CollectionUpdateInput!) {
  updateCollection(uuid: $uuid, input: $input) { title description movies { title } }
}
"""
DELETE = "mutation ($uuid: UUID!) { deleteCollection(uuid: $uuid) }"


def codes(body) -> list[tuple[str, str | None]]:
    return [(e["extensions"]["code"], e["extensions"].get("field")) for e in body["errors"]]


def test_create_collection_answers_it(graphql, user):
    movie_uuid = str(uuid.uuid4())
    variables = {
        "input": {
            "title": "Weekend",
            "movies": [{"uuid": movie_uuid, "title": "Heat", "genres": ["Crime", " Drama", "Crime"]}],
        }
    }

    status, body = graphql(CREATE, variables, user=user)

    created = body["data"]["createCollection"]
    assert status == 200
    assert created == {
        "uuid": str(Collection.objects.get(owner=user).uuid),
        "title": "Weekend",
        "description": "",
        "movies": [{"uuid": movie_uuid, "title": "Heat", "description": "", "genres": ["Crime", "Drama"]}],
    }


def test_create_collection_reports_every_invalid_field(graphql, user):
    same = str(uuid.uuid4())
    movies = [{"uuid": same, "title": "A"}, {"uuid": same, "title": " "}]

    _, body = graphql(CREATE, {"input": {"title": "", "movies": movies}}, user=user)

    error = body["errors"][0]
    assert body["data"] is None
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "title"
    assert [(e["field"], e["code"]) for e in error["extensions"]["errors"]] == [
        ("title", "blank"),
        ("movies.1.uuid", "duplicate"),
        ("movies.1.title", "blank"),
    ]
    assert not Collection.objects.exists()


def test_collections_are_paginated_newest_first_with_a_total(graphql, user):
    made = [CollectionFactory(owner=user, title=f"C{i}") for i in range(5)]
    CollectionFactory(owner=UserFactory())

    _, body = graphql(COLLECTIONS, {"offset": 1, "limit": 2}, user=user)

    page = body["data"]["collections"]
    assert page["totalCount"] == 5
    assert [c["title"] for c in page["results"]] == [made[3].title, made[2].title]


def test_collection_answers_null_for_another_users_or_unknown(graphql, user):
    theirs = CollectionFactory(owner=UserFactory())

    answers = [graphql(COLLECTION, {"uuid": str(u)}, user=user)[1] for u in (theirs.uuid, uuid.uuid4())]

    assert answers == [{"data": {"collection": None}}, {"data": {"collection": None}}]


def test_update_collection_keeps_what_is_left_out(graphql, user):
    collection = CollectionFactory(owner=user, title="Old", description="Keep", movies=MovieFactory.build_batch(2))
    titles = [{"title": m.title} for m in collection.movies.order_by("position")]

    _, body = graphql(UPDATE, {"uuid": str(collection.uuid), "input": {"title": "New"}}, user=user)

    assert body == {"data": {"updateCollection": {"title": "New", "description": "Keep", "movies": titles}}}


def test_update_collection_refuses_null_title(graphql, user):
    collection = CollectionFactory(owner=user, title="Old")

    _, body = graphql(UPDATE, {"uuid": str(collection.uuid), "input": {"title": None}}, user=user)

    assert codes(body) == [("BAD_USER_INPUT", "title")]
    collection.refresh_from_db()
    assert collection.title == "Old"


@pytest.mark.parametrize(("query", "extra"), [(UPDATE, {"input": {"title": "Mine"}}), (DELETE, {})])
def test_changing_another_users_collection_is_not_found(graphql, user, query, extra):
    theirs = CollectionFactory(owner=UserFactory(), title="Theirs")

    _, body = graphql(query, {"uuid": str(theirs.uuid), **extra}, user=user)

    assert codes(body) == [("NOT_FOUND", None)]
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


def test_delete_collection(graphql, user):
    collection = CollectionFactory(owner=user)

    _, body = graphql(DELETE, {"uuid": str(collection.uuid)}, user=user)

    assert body == {"data": {"deleteCollection": True}}
    assert not Collection.objects.exists()


def test_favourite_genres_with_a_limit(graphql, user):
    CollectionFactory(owner=user, movies=[MovieFactory(genres=("Drama", "Comedy")), MovieFactory(genres=("Drama",))])

    _, body = graphql(FAVOURITES, {"limit": 1}, user=user)

    assert body == {"data": {"favouriteGenres": [{"name": "Drama", "count": 2}]}}


def test_favourite_genres_refuses_a_negative_limit(graphql, user):
    _, body = graphql(FAVOURITES, {"limit": -1}, user=user)

    assert codes(body) == [("BAD_USER_INPUT", "limit")]


def test_me(graphql, user):
    _, body = graphql("{ me { username } }", user=user)

    assert body == {"data": {"me": {"username": user.username}}}


@pytest.mark.parametrize("count", [1, 50])
def test_collections_with_movies_take_the_same_number_of_queries(graphql, user, count, django_assert_num_queries):
    for _ in range(count):
        CollectionFactory(owner=user, movies=MovieFactory.build_batch(3))

    # user lookup, total count, collections, their movies, the movies' genres
    with django_assert_num_queries(5):
        _, body = graphql(COLLECTIONS, {"limit": 100}, user=user)

    assert len(body["data"]["collections"]["results"]) == count
    assert all(len(c["movies"]) == 3 for c in body["data"]["collections"]["results"])


def test_a_negative_offset_is_bad_input(graphql, user):
    _, body = graphql(COLLECTIONS, {"offset": -5, "limit": 2}, user=user)

    assert codes(body) == [("BAD_USER_INPUT", "pagination.offset")]


def test_a_page_is_at_most_a_thousand_collections(graphql, user):
    CollectionFactory.create_batch(3, owner=user)

    _, body = graphql("{ collections(pagination: {limit: 5000}) { pageInfo { limit } } }", user=user)

    assert body == {"data": {"collections": {"pageInfo": {"limit": 1000}}}}


def test_a_malformed_movie_uuid_names_its_field_like_rest(graphql, user):
    movies = [{"uuid": str(uuid.uuid4()), "title": "A"}, {"uuid": "bad", "title": "B"}]

    _, body = graphql(CREATE, {"input": {"title": "T", "movies": movies}}, user=user)

    assert codes(body) == [("BAD_USER_INPUT", "movies.1.uuid")]
    assert not Collection.objects.exists()


def test_a_change_expecting_an_old_version_is_a_conflict_and_changes_nothing(graphql, user):
    collection = CollectionFactory(owner=user, title="Kept")
    update = """mutation($uuid: UUID!) {
      updateCollection(uuid: $uuid, input: {title: "Lost"}, expectedVersion: 3) { title }
    }"""
    delete = "mutation($uuid: UUID!) { deleteCollection(uuid: $uuid, expectedVersion: 2) }"

    _, updated = graphql(update, {"uuid": str(collection.uuid)}, user=user)
    _, deleted = graphql(delete, {"uuid": str(collection.uuid)}, user=user)

    for body in (updated, deleted):
        [error] = body["errors"]
        assert error["extensions"]["code"] == "CONFLICT"
        assert error["extensions"]["version"] == 1
    collection.refresh_from_db()
    assert (collection.title, collection.version) == ("Kept", 1)


def test_a_change_expecting_the_current_version_answers_the_next(graphql, user):
    collection = CollectionFactory(owner=user)
    update = """mutation($uuid: UUID!) {
      updateCollection(uuid: $uuid, input: {title: "New"}, expectedVersion: 1) { title version }
    }"""

    status, body = graphql(update, {"uuid": str(collection.uuid)}, user=user)

    assert (status, body) == (200, {"data": {"updateCollection": {"title": "New", "version": 2}}})
