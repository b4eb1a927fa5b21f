from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone


@dataclass(frozen=True)
class Health:
    database: str
    tasks: str
    tasks_ready: int | None
    oldest_ready_seconds: int | None
    # "expired": a job's lease ran out (its worker died) and no worker has taken it back yet.
    # "unleased": a queue row has been RUNNING for TASKS_UNLEASED_RUNNING_SECONDS with no lease
    # naming it (its worker died before the job took its lease, or in a short job).
    jobs: str = "unknown"
    jobs_expired: int | None = None
    jobs_unleased: int | None = None

    @property
    def ok(self) -> bool:
        return (
            self.database == "ok"
            and self.tasks in {"ok", "not_used"}
            and self.jobs in {"ok", "unknown"}
        )


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
    jobs = _jobs_health()
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return Health(
            database="ok", tasks="not_used", tasks_ready=None, oldest_ready_seconds=None, **jobs
        )

    from django_tasks_db.models import DBTaskResult

    try:
        ready = DBTaskResult.objects.ready()
        count = ready.count()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except Exception:
        return Health(
            database="ok", tasks="error", tasks_ready=None, oldest_ready_seconds=None, **jobs
        )
    age = int((timezone.now() - oldest).total_seconds()) if oldest else 0
    # Jobs waiting longer than the stall limit mean no worker is taking them.
    status = "stalled" if age > settings.TASKS_STALL_SECONDS else "ok"
    return Health(database="ok", tasks=status, tasks_ready=count, oldest_ready_seconds=age, **jobs)


def _jobs_health() -> dict[str, Any]:
    """A running job past its lease: its worker died and no live worker has reaped it yet
    (every worker reaps twice per lease period, so this lasts only while none runs)."""
    from prakerja.core.jobs import jobs_expired_count, jobs_unleased_count

    try:
        expired = jobs_expired_count()
        unleased = (
            jobs_unleased_count()
            if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
            else 0
        )
    except Exception:
        return {"jobs": "error", "jobs_expired": None, "jobs_unleased": None}
    status = "expired" if expired else "unleased" if unleased else "ok"
    return {"jobs": status, "jobs_expired": expired, "jobs_unleased": unleased}
