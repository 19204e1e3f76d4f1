"""Genre names move from a shared `Genre` table onto each entry's genre rows.

A shared table grew with every name anyone sent and kept names that no
entry used any more; now a genre row lives and dies with its entry.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_names(apps, schema_editor):
    """One UPDATE: each genre row takes the name of the genre it pointed at."""
    CollectionMovieGenre = apps.get_model("collections", "CollectionMovieGenre")
    Genre = apps.get_model("collections", "Genre")
    CollectionMovieGenre.objects.update(name=Subquery(Genre.objects.filter(pk=OuterRef("genre_id")).values("name")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("collections", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="collectionmoviegenre",
            name="name",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(copy_names, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="collectionmoviegenre", name="entry_genre_once"),
        migrations.RemoveField(model_name="collectionmovie", name="genres"),
        migrations.RemoveField(model_name="collectionmoviegenre", name="genre"),
        migrations.DeleteModel(name="Genre"),
        migrations.AlterField(
            model_name="collectionmoviegenre",
            name="entry",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE, related_name="genres", to="collections.collectionmovie"
            ),
        ),
        migrations.AddConstraint(
            model_name="collectionmoviegenre",
            constraint=models.UniqueConstraint(fields=("entry", "name"), name="entry_genre_name_once"),
        ),
    ]
