import uuid

import pytest

from movie_collections.models import Collection, CollectionMovie
from tests.conftest import bearer_client
from tests.factories import CollectionFactory, MovieDataFactory, MovieFactory, UserFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def create(client, **body):
    return client.post("/collections/", body, format="json")


def field_errors(response) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


def test_create_then_get_answers_what_was_sent(auth_client):
    movies = MovieDataFactory.build_batch(3)

    created = create(auth_client, title="Weekend", description="Films", movies=movies)
    collection_uuid = created.json()["collection_uuid"]
    response = auth_client.get(f"/collections/{collection_uuid}/")

    assert created.status_code == 201
    assert list(created.json()) == ["collection_uuid"]
    assert response.status_code == 200
    assert response.json() == {
        "uuid": collection_uuid,
        "title": "Weekend",
        "description": "Films",
        "movies": [
            {"title": m["title"], "description": m["description"], "genres": m["genres"], "uuid": m["uuid"]}
            for m in movies
        ],
    }


def test_create_defaults_description_movies_and_genres(auth_client, user):
    movie_uuid = str(uuid.uuid4())

    response = create(auth_client, title="Bare", movies=[{"uuid": movie_uuid, "title": "Heat"}])

    collection = Collection.objects.get(owner=user)
    assert response.status_code == 201
    assert collection.description == ""
    detail = auth_client.get(f"/collections/{collection.uuid}").json()
    assert detail["movies"] == [{"title": "Heat", "description": "", "genres": "", "uuid": movie_uuid}]


def test_genres_come_back_trimmed_without_empties_or_repeats(auth_client):
    movie = MovieDataFactory(genres=" Drama, Comedy,,Drama ,")
    collection_uuid = create(auth_client, title="T", movies=[movie]).json()["collection_uuid"]

    response = auth_client.get(f"/collections/{collection_uuid}/")

    assert response.json()["movies"][0]["genres"] == "Drama,Comedy"


def test_list_answers_collections_newest_first_and_favourite_genres(auth_client, user):
    older = CollectionFactory(owner=user, movies=[MovieFactory(genres=("Drama", "Comedy"))])
    newer = CollectionFactory(owner=user, movies=[MovieFactory(genres=("Drama", "Action", "Western"))])
    CollectionFactory(owner=UserFactory(), movies=[MovieFactory(genres=("Horror",))])

    response = auth_client.get("/collections/")

    assert response.status_code == 200
    assert response.json() == {
        "is_success": True,
        "data": {
            "collections": [
                {"title": c.title, "uuid": str(c.uuid), "description": c.description} for c in (newer, older)
            ],
            "favourite_genres": "Drama, Action, Comedy",
        },
    }


def test_list_without_collections(auth_client):
    response = auth_client.get("/collections")

    assert response.json() == {"is_success": True, "data": {"collections": [], "favourite_genres": ""}}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, [("title", "required")]),
        ({"title": "   "}, [("title", "blank")]),
        ({"title": "x" * 256}, [("title", "max_length")]),
        ({"title": 5}, [("title", "invalid")]),
        ({"title": "T", "description": "d" * 10_001}, [("description", "max_length")]),
        ({"title": "T", "movies": "Heat"}, [("movies", "not_a_list")]),
        ({"title": "T", "movies": {"uuid": str(uuid.uuid4()), "title": "Heat"}}, [("movies", "not_a_list")]),
        ({"title": "T", "movies": [{"title": "Heat"}]}, [("movies.0.uuid", "required")]),
        ({"title": "T", "movies": [{"uuid": "nope", "title": "Heat"}]}, [("movies.0.uuid", "invalid")]),
        ({"title": "T", "movies": [{"uuid": str(uuid.uuid4())}]}, [("movies.0.title", "required")]),
        ({"title": "T", "movies": [{"uuid": str(uuid.uuid4()), "title": ""}]}, [("movies.0.title", "blank")]),
        (
            {"title": "T", "movies": [{"uuid": str(uuid.uuid4()), "title": "H", "genres": ["D"]}]},
            [("movies.0.genres", "invalid")],
        ),
        ({"title": "T", "movies": ["Heat"]}, [("movies.0", "invalid")]),
    ],
)
def test_create_rejects_invalid_bodies_and_writes_nothing(auth_client, body, expected):
    response = create(auth_client, **body)

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert field_errors(response) == expected
    assert Collection.objects.count() == 0


def test_create_rejects_the_same_movie_twice(auth_client):
    movie = MovieDataFactory()

    response = create(auth_client, title="T", movies=[movie, MovieDataFactory(), {**movie, "title": "Again"}])

    assert response.status_code == 400
    assert response.json() == {
        "type": "about:blank",
        "title": "Bad Request",
        "status": 400,
        "detail": "The request is not valid.",
        "errors": [
            {"field": "movies.2.uuid", "code": "duplicate", "message": "This movie is already in the collection."}
        ],
    }


def test_create_rejects_more_than_a_thousand_movies(auth_client):
    response = create(auth_client, title="T", movies=MovieDataFactory.build_batch(1001))

    assert response.status_code == 400
    assert field_errors(response) == [("movies", "max_length")]
    assert CollectionMovie.objects.count() == 0


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_changes_what_is_given_and_keeps_the_rest(auth_client, user, method):
    collection = CollectionFactory(owner=user, title="Old", description="Keep", movies=MovieFactory.build_batch(2))
    before = auth_client.get(f"/collections/{collection.uuid}/").json()

    response = getattr(auth_client, method)(f"/collections/{collection.uuid}/", {"title": "New"}, format="json")

    assert response.status_code == 200
    assert response.json() == {**before, "title": "New"}
    assert auth_client.get(f"/collections/{collection.uuid}/").json() == response.json()


def test_update_with_movies_replaces_the_list(auth_client, user):
    collection = CollectionFactory(owner=user, movies=MovieFactory.build_batch(3))
    movie = MovieDataFactory(genres="Drama")

    response = auth_client.put(f"/collections/{collection.uuid}", {"movies": [movie]}, format="json")

    assert response.status_code == 200
    assert response.json()["movies"] == [movie]
    assert CollectionMovie.objects.filter(collection=collection).count() == 1


def test_update_rejects_invalid_input_and_changes_nothing(auth_client, user):
    collection = CollectionFactory(owner=user, title="Old", movies=MovieFactory.build_batch(2))
    before = auth_client.get(f"/collections/{collection.uuid}/").json()

    response = auth_client.put(
        f"/collections/{collection.uuid}/", {"title": "", "movies": [{"uuid": "bad", "title": "x"}]}, format="json"
    )

    assert response.status_code == 400
    assert field_errors(response) == [("movies.0.uuid", "invalid")]
    assert auth_client.get(f"/collections/{collection.uuid}/").json() == before


def test_update_rejects_null_title(auth_client, user):
    collection = CollectionFactory(owner=user, title="Old")

    response = auth_client.put(f"/collections/{collection.uuid}/", {"title": None}, format="json")

    assert response.status_code == 400
    assert field_errors(response) == [("title", "null")]


def test_delete_answers_204_and_removes_the_collection(auth_client, user):
    collection = CollectionFactory(owner=user, movies=MovieFactory.build_batch(2))

    response = auth_client.delete(f"/collections/{collection.uuid}/")

    assert response.status_code == 204
    assert response.content == b""
    assert not Collection.objects.exists()
    assert not CollectionMovie.objects.exists()
    assert auth_client.get(f"/collections/{collection.uuid}/").status_code == 404


@pytest.mark.parametrize(
    ("method", "body"), [("get", None), ("put", {"title": "Mine"}), ("patch", {"title": "Mine"}), ("delete", None)]
)
def test_another_users_collection_is_not_found(auth_client, method, body):
    theirs = CollectionFactory(owner=UserFactory(), title="Theirs")

    response = getattr(auth_client, method)(f"/collections/{theirs.uuid}/", body, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No such collection.",
    }
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"


@pytest.mark.parametrize("path", [f"/collections/{uuid.uuid4()}/", "/collections/not-a-uuid/"])
def test_unknown_and_malformed_uuids_are_not_found(auth_client, path):
    response = auth_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/collections/"), ("post", "/collections/"), ("get", f"/collections/{uuid.uuid4()}/")],
)
def test_collections_need_a_token(api_client, method, path):
    response = getattr(api_client, method)(path, {"title": "T"}, format="json")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert Collection.objects.count() == 0


def test_two_users_see_only_their_own(user, other_user):
    mine = create(bearer_client(user), title="Mine").json()["collection_uuid"]
    create(bearer_client(other_user), title="Theirs")

    listed = bearer_client(user).get("/collections/").json()["data"]["collections"]

    assert [c["uuid"] for c in listed] == [mine]


@pytest.mark.parametrize("count", [1, 50])
def test_listing_takes_the_same_number_of_queries_for_1_or_50_collections(
    auth_client, user, count, django_assert_num_queries
):
    for _ in range(count):
        CollectionFactory(owner=user, movies=MovieFactory.build_batch(3))

    # user lookup for the token, collections page, favourite genres
    with django_assert_num_queries(3):
        response = auth_client.get("/collections/")

    assert len(response.json()["data"]["collections"]) == count


@pytest.mark.parametrize("movies", [1, 50])
def test_detail_takes_the_same_number_of_queries_for_1_or_50_movies(
    auth_client, user, movies, django_assert_num_queries
):
    collection = CollectionFactory(owner=user, movies=MovieFactory.build_batch(movies))

    # user lookup, collection, its movies, their genres
    with django_assert_num_queries(4):
        response = auth_client.get(f"/collections/{collection.uuid}/")

    assert len(response.json()["movies"]) == movies


def test_head_answers_like_get_without_a_body(auth_client, user):
    CollectionFactory(owner=user)

    response = auth_client.head("/collections/")

    assert response.status_code == 200
    assert response.content == b""


def test_a_collection_answers_its_version_as_an_etag_that_moves_with_each_change(auth_client, user):
    collection = CollectionFactory(owner=user, title="Old")

    read = auth_client.get(f"/collections/{collection.uuid}/")
    updated = auth_client.put(f"/collections/{collection.uuid}/", {"title": "New"}, format="json")

    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert updated.status_code == 200
    assert updated.headers["ETag"] == '"2"'
    collection.refresh_from_db()
    assert collection.version == 2


def test_if_none_match_with_the_current_version_answers_304_without_a_body(auth_client, user):
    collection = CollectionFactory(owner=user)
    url = f"/collections/{collection.uuid}/"

    same = auth_client.get(url, HTTP_IF_NONE_MATCH='"1"')
    stale = auth_client.get(url, HTTP_IF_NONE_MATCH='"7", W/"9"')

    assert (same.status_code, same.content, same.headers["ETag"]) == (304, b"", '"1"')
    assert stale.status_code == 200
    assert stale.json()["uuid"] == str(collection.uuid)


def test_if_match_with_an_old_version_changes_nothing_and_answers_412(auth_client, user):
    collection = CollectionFactory(owner=user, title="Theirs")
    url = f"/collections/{collection.uuid}/"
    auth_client.put(url, {"title": "Mine"}, format="json")  # version 2

    update = auth_client.put(url, {"title": "Lost"}, format="json", HTTP_IF_MATCH='"1"')
    delete = auth_client.delete(url, HTTP_IF_MATCH='"1"')
    foreign = auth_client.delete(url, HTTP_IF_MATCH='"not-ours"')

    assert [update.status_code, delete.status_code, foreign.status_code] == [412, 412, 412]
    assert update.headers["Content-Type"] == PROBLEM
    assert update.json()["detail"] == "The collection changed since it was read."
    collection.refresh_from_db()
    assert (collection.title, collection.version) == ("Mine", 2)


def test_if_match_with_the_current_version_changes_it(auth_client, user):
    collection = CollectionFactory(owner=user)
    url = f"/collections/{collection.uuid}/"

    updated = auth_client.put(url, {"title": "Next"}, format="json", HTTP_IF_MATCH='"1"')
    deleted = auth_client.delete(url, HTTP_IF_MATCH=updated.headers["ETag"])

    assert (updated.status_code, deleted.status_code) == (200, 204)
    assert not Collection.objects.filter(pk=collection.pk).exists()


@pytest.mark.parametrize("segment", ["not-a-uuid", "123", "0" * 40])
def test_a_malformed_uuid_in_the_url_is_not_found_like_an_unknown_one(auth_client, segment):
    response = auth_client.get(f"/collections/{segment}/")

    assert response.status_code == 404
    assert response.json()["detail"] == "No such collection."


def test_without_a_token_a_malformed_uuid_is_401_before_404(api_client):
    response = api_client.get("/collections/not-a-uuid/")

    assert response.status_code == 401
