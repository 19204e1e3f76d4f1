"""Collections of movies: data and constraints only (logic lives in services)."""

import uuid

from django.conf import settings
from django.db import models

TITLE_MAX_LENGTH = 255
DESCRIPTION_MAX_LENGTH = 10_000
GENRE_MAX_LENGTH = 100


class Collection(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="movie_collections")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One more with every change: clients send the one they read to change it safely (ETag, If-Match).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at", "-id"], name="collection_owner_newest")]

    def __str__(self) -> str:
        return self.title


class CollectionMovie(models.Model):
    """One movie in one collection, as its owner described it.

    The movie's data is a copy per entry: what one user sends about a movie
    never changes what another user sees.
    """

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="movies")
    position = models.PositiveIntegerField()
    movie_uuid = models.UUIDField()
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["collection", "position"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "movie_uuid"], name="collection_movie_once"),
            models.UniqueConstraint(fields=["collection", "position"], name="collection_movie_position"),
        ]

    def __str__(self) -> str:
        return self.title


class CollectionMovieGenre(models.Model):
    """A genre of an entry, in the order given; a genre counts once per entry.

    The name is stored with the entry, like the rest of its movie data: a
    genre lives and dies with the entries that name it, and counting them
    (favourite genres) is one `GROUP BY name` over the owner's entries.
    """

    entry = models.ForeignKey(CollectionMovie, on_delete=models.CASCADE, related_name="genres")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=GENRE_MAX_LENGTH)

    class Meta:
        ordering = ["entry", "position"]
        constraints = [models.UniqueConstraint(fields=["entry", "name"], name="entry_genre_name_once")]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.name}"
