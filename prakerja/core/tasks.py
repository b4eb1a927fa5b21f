from __future__ import annotations

from django_tasks import task


@task()
def ping() -> str:
    """A no-op job: proves a worker is taking jobs (used by health checks and tests)."""
    return "pong"
