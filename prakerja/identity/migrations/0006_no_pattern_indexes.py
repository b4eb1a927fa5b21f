# The "_like" indexes PostgreSQL got for prefix LIKE lookups nobody runs (core.pattern_indexes).

from django.db import migrations

from prakerja.core import pattern_indexes

TABLE = "identity_person"
COLUMNS = ("nik_index", "kk_index")


class Migration(migrations.Migration):
    # CONCURRENTLY: the tables' writes go on while the indexes are dropped (or built back).
    atomic = False

    dependencies = [
        ("identity", "0005_call_centre_lookup"),
    ]

    operations = [pattern_indexes.operation(TABLE, COLUMNS)]
