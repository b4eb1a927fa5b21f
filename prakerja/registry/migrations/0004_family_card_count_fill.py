"""Fill the per-KK counters from the registrations already submitted (set-based, one query to
read and one bulk insert; safe to re-run: it recomputes every counter)."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import Count


def fill(apps: Any, schema_editor: Any) -> None:
    Registration = apps.get_model("registry", "Registration")
    FamilyCardCount = apps.get_model("registry", "FamilyCardCount")
    db = schema_editor.connection.alias
    counts = (
        Registration.objects.using(db)
        .filter(status="submitted")
        .exclude(kk_index="")
        .values("programme_id", "kk_index")
        .annotate(n=Count("pk"))
        .order_by()
    )
    FamilyCardCount.objects.using(db).all().delete()
    FamilyCardCount.objects.using(db).bulk_create(
        (
            FamilyCardCount(
                programme_id=row["programme_id"], kk_index=row["kk_index"], submitted=row["n"]
            )
            for row in counts.iterator(chunk_size=5000)
        ),
        batch_size=5000,
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_family_card_count")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
