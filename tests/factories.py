"""factory_boy factories for users, collections and movie payloads."""

import uuid

import factory
from django.contrib.auth import get_user_model

from movie_collections.models import Collection
from movie_collections.services import collection_create
from movies.types import Movie

GENRES = ["Action", "Comedy", "Drama", "Horror", "Romance", "Thriller", "Western"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-staple")

    @factory.post_generation
    def saved(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MovieDataFactory(factory.DictFactory):
    """A movie as a REST client sends it (genres as one comma-separated string)."""

    uuid = factory.LazyFunction(lambda: str(uuid.uuid4()))
    title = factory.Faker("sentence", nb_words=3)
    description = factory.Faker("paragraph")
    genres = factory.Iterator(["Drama,Comedy", "Action", "Horror,Thriller,Drama", ""])


class MovieFactory(factory.Factory):
    """A movie as the services take it."""

    class Meta:
        model = Movie

    uuid = factory.LazyFunction(uuid.uuid4)
    title = factory.Faker("sentence", nb_words=3)
    description = factory.Faker("paragraph")
    genres = factory.Iterator([("Drama", "Comedy"), ("Action",), ()])


class CollectionFactory(factory.django.DjangoModelFactory):
    """A collection made through the service, so its movies are stored as in production."""

    class Meta:
        model = Collection

    owner = factory.SubFactory(UserFactory)
    title = factory.Faker("sentence", nb_words=4)
    description = factory.Faker("paragraph")
    movies = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Collection:
        return collection_create(**kwargs)
