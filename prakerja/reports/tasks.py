"""The dashboard's refresh as periodic jobs (``core.periodic``): the touched days every hour,
everything at night. A thin caller of ``reports.refresh``; the refresh takes its own row lock
(``RefreshState``), so two workers running it at once do it one after the other."""

from __future__ import annotations

from django_tasks import task


def _run(*, full: bool) -> dict[str, int]:
    from prakerja.reports.refresh import daily_counts_refresh

    summary = daily_counts_refresh(full=full)
    return {"days": summary.days, "rows": summary.rows}


@task()
def daily_counts_refresh_periodic(period: str) -> dict[str, int]:
    return _run(full=False)


@task()
def daily_counts_rebuild_periodic(period: str) -> dict[str, int]:
    return _run(full=True)
