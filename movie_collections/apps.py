from django.apps import AppConfig


class MovieCollectionsConfig(AppConfig):
    name = "movie_collections"
    label = "collections"
    verbose_name = "Movie collections"
