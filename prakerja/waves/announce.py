"""The announcement job (django-tasks) and the receiver that queues it on publish.

Kept apart from ``tasks.py`` (the selection job) so that each side of the app owns one file;
both are plain callers of services.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import task

from prakerja.core.jobs import job_lease
from prakerja.waves.announcements import wave_results_announce

# The lease (core.jobs) of a wave's announcement: a worker killed half-way has the job
# enqueued again by the reaper.
ANNOUNCE_JOB = "waves.announce"


@task()
def wave_results_announce_job(wave_id: int) -> dict[str, int]:
    """Text (and email) every applicant of the wave their result, exactly once each.

    Under a lease: safe to run again from the top after a worker died, because each
    applicant's Announcement row is claimed (committed) before the SMS goes out and a re-run
    sends only the rows it claims itself. An applicant claimed by the dead worker but not yet
    texted stays at most once (the row shows neither a send nor an error: resend by hand).
    """
    with job_lease(ANNOUNCE_JOB, wave_id) as lease:
        if lease is None:
            return {"claimed": 0, "sms_sent": 0, "email_sent": 0, "failed": 0}
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
