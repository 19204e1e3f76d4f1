"""Writes to collections: validate, then change inside a transaction."""

from collections.abc import Sequence
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from backend.text import is_unicode_text
from movie_collections.models import (
    DESCRIPTION_MAX_LENGTH,
    GENRE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Collection,
    CollectionMovie,
    CollectionMovieGenre,
    Genre,
)
from movies.types import Movie

MAX_MOVIES_PER_COLLECTION = 1_000
MAX_GENRES_PER_MOVIE = 50
NOT_FOUND = "No such collection."


@transaction.atomic
def collection_create(
    *, owner: AbstractBaseUser, title: str, description: str = "", movies: Sequence[Movie] = ()
) -> Collection:
    _raise_if_invalid(_collection_errors(title=title, description=description, movies=movies))
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
) -> Collection:
    """Change what is given (not None); `movies`, when given, replaces the list.

    Raises `Collection.DoesNotExist` for another user's or an unknown collection.
    """
    _raise_if_invalid(_collection_errors(title=title, description=description, movies=movies))
    # The row lock serialises concurrent updates of one collection's movie list.
    collection = Collection.objects.select_for_update().filter(owner=owner, uuid=uuid).first()
    if collection is None:
        raise Collection.DoesNotExist(NOT_FOUND)
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
def collection_delete(*, owner: AbstractBaseUser, uuid: UUID) -> None:
    """Delete the collection and its entries; `Collection.DoesNotExist` if not the owner's."""
    deleted, _ = Collection.objects.filter(owner=owner, uuid=uuid).delete()
    if not deleted:
        raise Collection.DoesNotExist(NOT_FOUND)


def normalise_genres(genres: Sequence[str]) -> list[str]:
    """Trimmed, without empty names, each name once, in the order given."""
    names = (name.strip() for name in genres)
    return list(dict.fromkeys(name for name in names if name))


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
    genre_names = [normalise_genres(movie.genres) for movie in movies]
    genre_ids = _genre_ids({name for names in genre_names for name in names})
    CollectionMovieGenre.objects.bulk_create(
        CollectionMovieGenre(entry=entry, genre_id=genre_ids[name], position=position)
        for entry, names in zip(entries, genre_names, strict=True)
        for position, name in enumerate(names)
    )


def _genre_ids(names: set[str]) -> dict[str, int]:
    """Ids of the named genres, creating the missing ones (race-safe)."""
    if not names:
        return {}
    # In a fixed order, so two transactions adding the same new genres cannot deadlock.
    Genre.objects.bulk_create([Genre(name=name) for name in sorted(names)], ignore_conflicts=True)
    return dict(Genre.objects.filter(name__in=names).values_list("name", "id"))


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
    if len(movies) > MAX_MOVIES_PER_COLLECTION:
        message = f"Ensure this list has at most {MAX_MOVIES_PER_COLLECTION} movies."
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
    if len(genres) > MAX_GENRES_PER_MOVIE:
        message = f"Ensure a movie has at most {MAX_GENRES_PER_MOVIE} genres."
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
    if required and not value.strip():
        errors[field_name] = [ValidationError("This field may not be blank.", code="blank")]
    elif len(value) > max_length:
        message = f"Ensure this field has no more than {max_length} characters."
        errors[field_name] = [ValidationError(message, code="max_length")]
    elif "\x00" in value:
        errors[field_name] = [ValidationError("Null characters are not allowed.", code="null_characters_not_allowed")]
    elif not is_unicode_text(value):
        errors[field_name] = [ValidationError("Must be valid Unicode text.", code="invalid")]
