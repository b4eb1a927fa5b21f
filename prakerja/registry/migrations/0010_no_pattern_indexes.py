# The "_like" indexes PostgreSQL got for prefix LIKE lookups nobody runs (core.pattern_indexes).

from django.db import migrations

from prakerja.core import pattern_indexes

TABLE = "registry_registration"
COLUMNS = ("reference",)


class Migration(migrations.Migration):
    # CONCURRENTLY: the tables' writes go on while the indexes are dropped (or built back).
    atomic = False

    dependencies = [
        ("registry", "0009_fewer_indexes"),
    ]

    operations = [pattern_indexes.operation(TABLE, COLUMNS)]
