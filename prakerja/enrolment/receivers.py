"""Receivers connected in ``EnrolmentConfig.ready``: other apps tell us, we never import them
for this (waves sits below enrolment and sends ``core.signals.selection_published``)."""

from __future__ import annotations

from typing import Any


def on_selection_published(sender: Any, *, run: Any, wave: Any, **kwargs: Any) -> None:
    """Make every selected applicant of the published run a participant with the training
    balance. Runs inside the publishing transaction: the participants commit (or roll back)
    with the published result; set-based, a few statements whatever the number selected."""
    from prakerja.enrolment.services.participants import participants_create_for_selection
    from prakerja.waves.models import SelectionRun

    # The signal's contract: receivers read only ``run.pk`` (core.signals); the run is loaded
    # here, inside the publishing transaction, so it is the published one.
    published = SelectionRun.objects.filter(pk=run.pk).first()
    if published is None:
        return
    participants_create_for_selection(run=published, actor=published.published_by)
