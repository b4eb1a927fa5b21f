from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone


@dataclass(frozen=True)
class Health:
    database: str
    tasks: str
    tasks_ready: int | None
    oldest_ready_seconds: int | None

    @property
    def ok(self) -> bool:
        return self.database == "ok" and self.tasks in {"ok", "not_used"}


def health_check(*, include_tasks: bool = True) -> Health:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return Health(
            database="error", tasks="unknown", tasks_ready=None, oldest_ready_seconds=None
        )

    if not include_tasks:
        return Health(database="ok", tasks="unknown", tasks_ready=None, oldest_ready_seconds=None)
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return Health(database="ok", tasks="not_used", tasks_ready=None, oldest_ready_seconds=None)

    from django_tasks_db.models import DBTaskResult

    try:
        ready = DBTaskResult.objects.ready()
        count = ready.count()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except Exception:
        return Health(database="ok", tasks="error", tasks_ready=None, oldest_ready_seconds=None)
    age = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    # Jobs waiting longer than the stall limit mean no worker is taking them.
    status = "stalled" if age > settings.TASKS_STALL_SECONDS else "ok"
    return Health(database="ok", tasks=status, tasks_ready=count, oldest_ready_seconds=age)
