"""Receivers connected in ``EnrolmentConfig.ready``: other apps tell us, we never import them
for this (waves sits below enrolment and sends ``core.signals.selection_published``)."""

from __future__ import annotations

from typing import Any


def on_selection_published(sender: Any, *, run: Any, wave: Any, **kwargs: Any) -> None:
    """Make every selected applicant of the published run a participant with the training
    balance. Runs inside the publishing transaction: the participants commit (or roll back)
    with the published result; set-based, a few statements whatever the number selected."""
    from prakerja.enrolment.services.participants import participants_create_for_selection

    participants_create_for_selection(run=run, actor=getattr(run, "published_by", None))
