from django.contrib import admin

from movie_collections.models import Collection, CollectionMovie


class CollectionMovieInline(admin.TabularInline):
    model = CollectionMovie
    fields = ["position", "movie_uuid", "title"]
    extra = 0


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "created_at"]
    search_fields = ["title", "owner__username"]
    readonly_fields = ["uuid", "created_at", "updated_at"]
    inlines = [CollectionMovieInline]
