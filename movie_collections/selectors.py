"""Reads of collections: lazy querysets, or values computed in the database."""

from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import Collate

from movie_collections.models import Collection, Genre

DEFAULT_FAVOURITE_GENRES = 3
# Ties break by name in code-point order on every database, whatever its locale.
BYTE_ORDER_COLLATION = {"postgresql": "C", "sqlite": "BINARY"}


@dataclass(frozen=True)
class GenreCount:
    name: str
    count: int


def collection_list(*, owner: AbstractBaseUser) -> QuerySet[Collection]:
    """The owner's collections, newest first."""
    return Collection.objects.filter(owner=owner).order_by("-created_at", "-id")


def collection_get(*, owner: AbstractBaseUser, uuid: UUID) -> QuerySet[Collection]:
    """The owner's collection with this uuid, as a lazy queryset of at most one row."""
    return collection_list(owner=owner).filter(uuid=uuid)


def favourite_genres(*, owner: AbstractBaseUser, limit: int = DEFAULT_FAVOURITE_GENRES) -> list[GenreCount]:
    """The owner's most frequent genres over all their collections, in one query.

    A genre counts once per (collection, movie) entry; ties break by name.
    """
    rows = (
        Genre.objects.filter(entry_links__entry__collection__owner=owner)
        .annotate(count=Count("entry_links"))
        .order_by("-count", Collate("name", BYTE_ORDER_COLLATION[connection.vendor]))
        .values_list("name", "count")[: max(limit, 0)]
    )
    return [GenreCount(name=name, count=count) for name, count in rows]
