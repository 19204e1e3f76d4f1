"""Writes to collections: validate, then change inside a transaction."""

from collections.abc import Sequence
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from backend.text import is_blank, is_unicode_text
from movie_collections.models import (
    DESCRIPTION_MAX_LENGTH,
    GENRE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Collection,
    CollectionMovie,
    CollectionMovieGenre,
)
from movies.types import Movie

NOT_FOUND = "No such collection."


class CollectionChanged(Exception):
    """The collection is no longer at the version the caller read (another change came first)."""

    def __init__(self, version: int) -> None:
        super().__init__("The collection changed since it was read.")
        self.version = version


@transaction.atomic
def collection_create(
    *, owner: AbstractBaseUser, title: str, description: str = "", movies: Sequence[Movie] = ()
) -> Collection:
    """A new collection of the owner's; `ValidationError` for bad input or when the owner has
    `COLLECTIONS_PER_USER_LIMIT` collections already."""
    _raise_if_invalid(_collection_errors(title=title, description=description, movies=movies))
    _lock_owner(owner)
    if Collection.objects.filter(owner=owner).count() >= settings.COLLECTIONS_PER_USER_LIMIT:
        message = f"You have {settings.COLLECTIONS_PER_USER_LIMIT} collections, the most one may have."
        raise ValidationError(message, code="limit_reached")
    collection = Collection.objects.create(owner=owner, title=title.strip(), description=description)
    _add_movies(collection=collection, movies=movies)
    return collection


@transaction.atomic
def collection_update(
    *,
    owner: AbstractBaseUser,
    uuid: UUID,
    title: str | None = None,
    description: str | None = None,
    movies: Sequence[Movie] | None = None,
    expected_version: int | None = None,
) -> Collection:
    """Change what is given (not None); `movies`, when given, replaces the list.

    Raises `Collection.DoesNotExist` for another user's or an unknown collection, and
    `CollectionChanged` when `expected_version` is given and the collection is at another.
    """
    _raise_if_invalid(_collection_errors(title=title, description=description, movies=movies))
    collection = _locked_collection(owner=owner, uuid=uuid, expected_version=expected_version)
    collection.version += 1
    if title is not None:
        collection.title = title.strip()
    if description is not None:
        collection.description = description
    collection.save()
    if movies is not None:
        collection.movies.all().delete()
        _add_movies(collection=collection, movies=movies)
    return collection


@transaction.atomic
def collection_delete(*, owner: AbstractBaseUser, uuid: UUID, expected_version: int | None = None) -> None:
    """Delete the collection and its entries; `Collection.DoesNotExist` if not the owner's,
    `CollectionChanged` when `expected_version` is given and the collection is at another."""
    _locked_collection(owner=owner, uuid=uuid, expected_version=expected_version).delete()


def _locked_collection(*, owner: AbstractBaseUser, uuid: UUID, expected_version: int | None) -> Collection:
    """The owner's collection, locked until the transaction ends: concurrent changes of one collection
    take turns, and a change made on what was read (`expected_version`) cannot overwrite another."""
    collection = Collection.objects.select_for_update().filter(owner=owner, uuid=uuid).first()
    if collection is None:
        raise Collection.DoesNotExist(NOT_FOUND)
    if expected_version is not None and expected_version != collection.version:
        raise CollectionChanged(collection.version)
    return collection


def normalise_genres(genres: Sequence[str]) -> list[str]:
    """Trimmed, without blank names, each name once, in the order given."""
    names = (name.strip() for name in genres)
    return list(dict.fromkeys(name for name in names if not is_blank(name)))


def _lock_owner(owner: AbstractBaseUser) -> None:
    """Serialises the owner's creations (on PostgreSQL; SQLite serialises every writer), so that two
    at once cannot both pass the limit on collections."""
    list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))


def _add_movies(*, collection: Collection, movies: Sequence[Movie]) -> None:
    entries = CollectionMovie.objects.bulk_create(
        CollectionMovie(
            collection=collection,
            position=position,
            movie_uuid=movie.uuid,
            title=movie.title.strip(),
            description=movie.description,
        )
        for position, movie in enumerate(movies)
    )
    CollectionMovieGenre.objects.bulk_create(
        CollectionMovieGenre(entry=entry, position=position, name=name)
        for entry, movie in zip(entries, movies, strict=True)
        for position, name in enumerate(normalise_genres(movie.genres))
    )


def _raise_if_invalid(errors: dict[str, list[ValidationError]]) -> None:
    if errors:
        raise ValidationError(errors)


def _collection_errors(
    *, title: str | None, description: str | None, movies: Sequence[Movie] | None
) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}
    if title is not None:
        _check_text(errors, "title", title, max_length=TITLE_MAX_LENGTH, required=True)
    if description is not None:
        _check_text(errors, "description", description, max_length=DESCRIPTION_MAX_LENGTH)
    if movies is not None:
        _check_movies(errors, movies)
    return errors


def _check_movies(errors: dict[str, list[ValidationError]], movies: Sequence[Movie]) -> None:
    limit = settings.MOVIES_PER_COLLECTION_LIMIT
    if len(movies) > limit:
        message = f"Ensure this list has at most {limit} movies."
        errors["movies"] = [ValidationError(message, code="max_length")]
        return
    seen: set[UUID] = set()
    for index, movie in enumerate(movies):
        prefix = f"movies.{index}"
        if movie.uuid in seen:
            message = "This movie is already in the collection."
            errors[f"{prefix}.uuid"] = [ValidationError(message, code="duplicate")]
        seen.add(movie.uuid)
        _check_text(errors, f"{prefix}.title", movie.title, max_length=TITLE_MAX_LENGTH, required=True)
        _check_text(errors, f"{prefix}.description", movie.description, max_length=DESCRIPTION_MAX_LENGTH)
        _check_genres(errors, f"{prefix}.genres", movie.genres)


def _check_genres(errors: dict[str, list[ValidationError]], field_name: str, genres: Sequence[str]) -> None:
    limit = settings.GENRES_PER_MOVIE_LIMIT
    if len(normalise_genres(genres)) > limit:
        message = f"Ensure a movie has at most {limit} genres."
        errors[field_name] = [ValidationError(message, code="max_length")]
        return
    for index, genre in enumerate(genres):
        if "," in genre:
            # REST joins a movie's genres with commas: a comma in a name would split it.
            message = "Genre names may not contain commas."
            errors[f"{field_name}.{index}"] = [ValidationError(message, code="invalid")]
        else:
            _check_text(errors, f"{field_name}.{index}", genre.strip(), max_length=GENRE_MAX_LENGTH)


def _check_text(
    errors: dict[str, list[ValidationError]], field_name: str, value: str, *, max_length: int, required: bool = False
) -> None:
    if "\x00" in value:
        errors[field_name] = [ValidationError("Null characters are not allowed.", code="null_characters_not_allowed")]
    elif required and is_blank(value):
        errors[field_name] = [ValidationError("This field may not be blank.", code="blank")]
    elif len(value) > max_length:
        message = f"Ensure this field has no more than {max_length} characters."
        errors[field_name] = [ValidationError(message, code="max_length")]
    elif not is_unicode_text(value):
        errors[field_name] = [ValidationError("Must be valid Unicode text.", code="invalid")]
