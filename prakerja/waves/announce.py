"""The announcement job (django-tasks) and the receiver that queues it on publish.

Kept apart from ``tasks.py`` (the selection job) so that each side of the app owns one file;
both are plain callers of services.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import task

from prakerja.waves.announcements import wave_results_announce


@task()
def wave_results_announce_job(wave_id: int) -> dict[str, int]:
    """Text (and email) every applicant of the wave their result, exactly once each."""
    summary = wave_results_announce(wave_id=wave_id)
    return {
        "claimed": summary.claimed,
        "sms_sent": summary.sms_sent,
        "email_sent": summary.email_sent,
        "failed": summary.failed,
    }


def announce_on_publish(sender: Any, *, wave: Any, **kwargs: Any) -> None:
    """``selection_published`` receiver: queue the announcement once the publish commits.

    The signal is sent inside the publishing transaction; a rolled-back publish must not
    announce anything, hence ``on_commit``. ``robust``: the publish stands even if the queue
    refuses the job (logged); the job can be queued again by hand and sends nothing twice.
    """
    transaction.on_commit(partial(wave_results_announce_job.enqueue, wave_id=wave.pk), robust=True)
