import uuid

import pytest
from django.core.exceptions import ValidationError

from movie_collections.models import Collection, CollectionMovie, CollectionMovieGenre
from movie_collections.services import collection_create, collection_delete, collection_update
from movies.types import Movie
from tests.factories import CollectionFactory, MovieFactory, UserFactory

pytestmark = pytest.mark.django_db


def movie_rows(collection: Collection) -> list[tuple]:
    return [
        (str(entry.movie_uuid), entry.title, [genre.name for genre in entry.genres.order_by("position")])
        for entry in collection.movies.order_by("position")
    ]


def test_create_stores_movies_in_order_with_normalised_genres(user):
    first, second = uuid.uuid4(), uuid.uuid4()

    collection = collection_create(
        owner=user,
        title="  Weekend  ",
        movies=[
            Movie(uuid=first, title="Heat", genres=(" Crime", "Drama ", "", "Crime")),
            Movie(uuid=second, title="Up"),
        ],
    )

    assert collection.title == "Weekend"
    assert movie_rows(collection) == [(str(first), "Heat", ["Crime", "Drama"]), (str(second), "Up", [])]


def test_create_rejects_everything_wrong_at_once_and_writes_nothing(user):
    same = uuid.uuid4()
    movies = [
        Movie(uuid=same, title="A"),
        Movie(uuid=same, title="  "),
        Movie(uuid=uuid.uuid4(), title="C", genres=("x" * 101,)),
    ]

    with pytest.raises(ValidationError) as error:
        collection_create(owner=user, title="", description="d" * 10_001, movies=movies)

    assert {field: [e.code for e in errors] for field, errors in error.value.error_dict.items()} == {
        "title": ["blank"],
        "description": ["max_length"],
        "movies.1.uuid": ["duplicate"],
        "movies.1.title": ["blank"],
        "movies.2.genres.0": ["max_length"],
    }
    assert Collection.objects.count() == 0
    assert CollectionMovieGenre.objects.count() == 0


def test_create_refuses_more_than_a_thousand_movies(user):
    with pytest.raises(ValidationError) as error:
        collection_create(owner=user, title="Big", movies=MovieFactory.build_batch(1001))

    assert list(error.value.error_dict) == ["movies"]


def test_create_refuses_null_characters(user):
    with pytest.raises(ValidationError) as error:
        collection_create(owner=user, title="a\x00b")

    assert error.value.error_dict["title"][0].code == "null_characters_not_allowed"


def test_update_changes_only_what_is_given(user):
    collection = CollectionFactory(owner=user, title="Old", description="Keep", movies=MovieFactory.build_batch(2))
    before = movie_rows(collection)

    collection_update(owner=user, uuid=collection.uuid, title="New")

    collection.refresh_from_db()
    assert (collection.title, collection.description) == ("New", "Keep")
    assert movie_rows(collection) == before


def test_update_with_movies_replaces_the_list(user):
    collection = CollectionFactory(owner=user, movies=MovieFactory.build_batch(3))
    replacement = Movie(uuid=uuid.uuid4(), title="Only", genres=("Drama",))

    collection_update(owner=user, uuid=collection.uuid, movies=[replacement])

    assert movie_rows(collection) == [(str(replacement.uuid), "Only", ["Drama"])]
    assert CollectionMovie.objects.count() == 1
    assert CollectionMovieGenre.objects.count() == 1


def test_update_of_another_users_collection_is_not_found_and_changes_nothing(user):
    collection = CollectionFactory(owner=UserFactory(), title="Theirs")

    with pytest.raises(Collection.DoesNotExist):
        collection_update(owner=user, uuid=collection.uuid, title="Mine")

    collection.refresh_from_db()
    assert collection.title == "Theirs"


def test_delete_removes_the_collection_and_its_entries(user):
    collection = CollectionFactory(owner=user, movies=MovieFactory.build_batch(2))

    collection_delete(owner=user, uuid=collection.uuid)

    assert Collection.objects.count() == 0
    assert CollectionMovie.objects.count() == 0
    assert CollectionMovieGenre.objects.count() == 0


def test_delete_of_another_users_collection_is_not_found(user):
    collection = CollectionFactory(owner=UserFactory())

    with pytest.raises(Collection.DoesNotExist):
        collection_delete(owner=user, uuid=collection.uuid)

    assert Collection.objects.count() == 1


def test_one_users_movie_data_never_changes_another_users(user, other_user):
    movie_uuid = uuid.uuid4()
    theirs = collection_create(owner=other_user, title="T", movies=[Movie(uuid=movie_uuid, title="Original")])

    collection_create(owner=user, title="M", movies=[Movie(uuid=movie_uuid, title="Vandalised")])

    assert movie_rows(theirs) == [(str(movie_uuid), "Original", [])]


@pytest.mark.parametrize(
    ("movie", "field", "code"),
    [
        (Movie(uuid=uuid.uuid4(), title="A", genres=("Drama,Comedy",)), "movies.0.genres.0", "invalid"),
        (Movie(uuid=uuid.uuid4(), title="bad \ud800 text"), "movies.0.title", "invalid"),
        (Movie(uuid=uuid.uuid4(), title="A", genres=("\udfff",)), "movies.0.genres.0", "invalid"),
    ],
)
def test_create_refuses_text_that_cannot_be_stored_or_sent_back(user, movie, field, code):
    with pytest.raises(ValidationError) as error:
        collection_create(owner=user, title="T", movies=[movie])

    assert [(f, [e.code for e in errors]) for f, errors in error.value.error_dict.items()] == [(field, [code])]
    assert not Collection.objects.exists()


@pytest.mark.parametrize("title", ["\u200b", " \u200b\u200d ", "\ufeff", "\u2060\u00a0"])
def test_a_title_with_nothing_visible_is_blank(user, title):
    with pytest.raises(ValidationError) as error:
        collection_create(owner=user, title=title, movies=[Movie(uuid=uuid.uuid4(), title=title)])

    assert {field: [e.code for e in errors] for field, errors in error.value.error_dict.items()} == {
        "title": ["blank"],
        "movies.0.title": ["blank"],
    }


def test_genre_names_with_nothing_visible_are_dropped(user):
    collection = collection_create(
        owner=user, title="T", movies=[Movie(uuid=uuid.uuid4(), title="A", genres=("\u200b", "Drama"))]
    )

    assert movie_rows(collection)[0][2] == ["Drama"]


def test_a_user_has_at_most_the_configured_number_of_collections(user, other_user, settings):
    settings.COLLECTIONS_PER_USER_LIMIT = 2
    CollectionFactory.create_batch(2, owner=user)

    with pytest.raises(ValidationError) as error:
        collection_create(owner=user, title="Third")
    collection_create(owner=other_user, title="Theirs")

    assert [(e.code, e.message) for e in error.value.error_list] == [
        ("limit_reached", "You have 2 collections, the most one may have.")
    ]
    assert Collection.objects.filter(owner=user).count() == 2


def test_a_collection_has_at_most_the_configured_number_of_movies(user, settings):
    settings.MOVIES_PER_COLLECTION_LIMIT = 3

    with pytest.raises(ValidationError) as error:
        collection_create(owner=user, title="T", movies=MovieFactory.build_batch(4))

    assert [(field, [e.code for e in errors]) for field, errors in error.value.error_dict.items()] == [
        ("movies", ["max_length"])
    ]


def test_a_movie_has_at_most_the_configured_number_of_genres(user, settings):
    settings.GENRES_PER_MOVIE_LIMIT = 2
    fine = Movie(uuid=uuid.uuid4(), title="A", genres=("Drama", "Drama ", "", "Comedy"))  # two once normalised
    too_many = Movie(uuid=uuid.uuid4(), title="B", genres=("Drama", "Comedy", "War"))

    with pytest.raises(ValidationError) as error:
        collection_create(owner=user, title="T", movies=[fine, too_many])

    assert list(error.value.error_dict) == ["movies.1.genres"]


def test_deleting_or_replacing_movies_leaves_no_genre_behind(user):
    kept = CollectionFactory(owner=user, movies=[MovieFactory(genres=("Drama", "War"))])
    replaced = CollectionFactory(owner=user, movies=[MovieFactory(genres=("Comedy", "Horror"))])
    deleted = CollectionFactory(owner=user, movies=[MovieFactory(genres=("Western",))])

    collection_update(owner=user, uuid=replaced.uuid, movies=[MovieFactory(genres=("Action",))])
    collection_delete(owner=user, uuid=deleted.uuid)

    assert sorted(CollectionMovieGenre.objects.values_list("name", flat=True)) == ["Action", "Drama", "War"]
    assert movie_rows(kept)[0][2] == ["Drama", "War"]
