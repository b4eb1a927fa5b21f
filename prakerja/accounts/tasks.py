from __future__ import annotations

from django_tasks import task


@task()
def lockout_attempts_prune_periodic(period: str) -> int:
    """Delete sign-in attempts past the cool-off (scheduled hourly, ``core.periodic``)."""
    from prakerja.accounts.lockout import lockout_attempts_prune

    return lockout_attempts_prune()
