# The "_like" indexes PostgreSQL got for prefix LIKE lookups nobody runs (core.pattern_indexes).

from django.db import migrations

from prakerja.core import pattern_indexes

TABLE = "accounts_user"
COLUMNS = ("username", "phone", "regency_id")


class Migration(migrations.Migration):
    # CONCURRENTLY: the tables' writes go on while the indexes are dropped (or built back).
    atomic = False

    dependencies = [
        ("accounts", "0010_history_indexed_by_id_only"),
    ]

    operations = [pattern_indexes.operation(TABLE, COLUMNS)]
