"""Background jobs of the linkage app (django-tasks): just other callers of services."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django_tasks import task

from prakerja.accounts.models import User


@task()
def linkage_run_job(run_id: int) -> None:
    """Link reported workers to registrants (idempotent: a re-run adds only what is missing)."""
    from prakerja.linkage.services import linkage_run_execute

    linkage_run_execute(run_id=run_id)


@task()
def outreach_invitations_job(actor_id: int | None, wave_id: int, regency_code: str) -> int:
    """Send the SMS invitations of one wave (at most one per person, see the service)."""
    from prakerja.linkage.services import outreach_invitations_send

    actor = User.objects.get(pk=actor_id) if actor_id else AnonymousUser()
    return outreach_invitations_send(
        actor=actor, wave_id=wave_id, regency_code=regency_code or None
    )


@task()
def jps_cases_for_batch_job(batch_id: int) -> int:
    """Open JPS review cases for an imported JPS list (idempotent)."""
    from prakerja.linkage.services import jps_cases_open_for_batch

    return jps_cases_open_for_batch(batch_id=batch_id)
