import pytest

from movie_collections.selectors import GenreCount, collection_list, favourite_genres
from tests.factories import CollectionFactory, MovieFactory, UserFactory

pytestmark = pytest.mark.django_db


def movies_with(*genre_lists: tuple[str, ...]) -> list:
    return [MovieFactory(genres=genres) for genres in genre_lists]


def test_favourite_genres_are_the_three_most_frequent_with_counts(user):
    CollectionFactory(owner=user, movies=movies_with(("Drama", "Comedy"), ("Drama",), ("Action", "Drama")))
    CollectionFactory(owner=user, movies=movies_with(("Comedy",), ("Horror",)))

    assert favourite_genres(owner=user) == [
        GenreCount("Drama", 3),
        GenreCount("Comedy", 2),
        GenreCount("Action", 1),
    ]


def test_ties_break_by_name(user):
    CollectionFactory(owner=user, movies=movies_with(("Western",), ("Action",), ("Comedy",), ("Drama",)))

    assert [genre.name for genre in favourite_genres(owner=user)] == ["Action", "Comedy", "Drama"]


def test_fewer_than_three_genres(user):
    CollectionFactory(owner=user, movies=movies_with(("Drama",), ("Drama", "Comedy")))

    assert favourite_genres(owner=user) == [GenreCount("Drama", 2), GenreCount("Comedy", 1)]


def test_no_genres_at_all(user):
    CollectionFactory(owner=user, movies=movies_with((), ()))

    assert favourite_genres(owner=user) == []


def test_a_genre_named_twice_for_one_movie_counts_once_and_names_are_trimmed(user):
    CollectionFactory(owner=user, movies=movies_with((" Drama ", "Drama", "", "  "), ("Comedy",)))

    assert favourite_genres(owner=user) == [GenreCount("Comedy", 1), GenreCount("Drama", 1)]


def test_the_same_movie_in_two_collections_counts_twice(user):
    movie = MovieFactory(genres=("Drama",))
    CollectionFactory(owner=user, movies=[movie])
    CollectionFactory(owner=user, movies=[movie, MovieFactory(genres=("Comedy",))])

    assert favourite_genres(owner=user) == [GenreCount("Drama", 2), GenreCount("Comedy", 1)]


def test_other_users_genres_do_not_count(user):
    CollectionFactory(owner=UserFactory(), movies=movies_with(("Horror",), ("Horror",)))
    CollectionFactory(owner=user, movies=movies_with(("Drama",)))

    assert favourite_genres(owner=user) == [GenreCount("Drama", 1)]


def test_favourite_genres_is_one_query(user, django_assert_num_queries):
    for _ in range(5):
        CollectionFactory(owner=user, movies=movies_with(("Drama", "Comedy"), ("Action",)))

    with django_assert_num_queries(1):
        favourite_genres(owner=user)


def test_collection_list_is_the_owners_newest_first(user):
    older = CollectionFactory(owner=user)
    newer = CollectionFactory(owner=user)
    CollectionFactory(owner=UserFactory())

    assert list(collection_list(owner=user)) == [newer, older]


def test_ties_break_in_code_point_order_on_every_database(user):
    CollectionFactory(owner=user, movies=movies_with(("drama",), ("Drama",), ("Action",)))

    assert [genre.name for genre in favourite_genres(owner=user)] == ["Action", "Drama", "drama"]
