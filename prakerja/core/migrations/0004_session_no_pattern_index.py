# The "_like" indexes PostgreSQL got for prefix LIKE lookups nobody runs (core.pattern_indexes).

from django.db import migrations

from prakerja.core import pattern_indexes

TABLE = "django_session"
COLUMNS = ("session_key",)


class Migration(migrations.Migration):
    # CONCURRENTLY: the tables' writes go on while the indexes are dropped (or built back).
    atomic = False

    dependencies = [
        ("core", "0003_job_lease"),
        ("sessions", "0001_initial"),
    ]

    operations = [pattern_indexes.operation(TABLE, COLUMNS)]
