"""Demo data of the enrolment app (``manage.py enrolment_demo_load``, called by demo_setup after
waves_demo_load). Idempotent, and robust to what the demo has or lacks:

* every published wave's selected applicants become participants (the receiver does this on
  publication; this catches a demo database published before the app existed). The demo's
  Gelombang 1 is *open* as loaded by ``waves_demo_load``: until a manager closes, runs and
  publishes it, there is nobody to make a participant of, and nothing is made up here;
* if bookable batches exist (published courses of verified providers, added by the training
  app's demo data), the demo applicant ("pendaftar") when a participant, else the first one or
  two participants, are enrolled in the cheapest batch they can afford, through the service,
  so "Pelatihan saya" shows a balance spent, a ledger and an enrolment.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from prakerja.core.errors import ApplicationError
from prakerja.enrolment.demo_journey import enrolment_demo_journey
from prakerja.enrolment.models import Enrolment, Participant
from prakerja.enrolment.services.enrolments import enrolment_create
from prakerja.enrolment.services.participants import participants_backfill
from prakerja.training.models import Course, CourseBatch, Provider

DEMO_APPLICANT = "pendaftar"
DEMO_ENROLMENTS = 2


@dataclass(frozen=True)
class DemoSummary:
    participants_made: int
    participants: int
    enrolled: int


def _bookable() -> list[CourseBatch]:
    return list(
        CourseBatch.objects.select_related("course__provider")
        .filter(
            course__status=Course.Status.PUBLISHED,
            course__provider__status=Provider.Status.VERIFIED,
            starts_on__gt=timezone.localdate(),
            seats_taken__lt=F("seats"),
        )
        .order_by("course__price", "starts_on", "pk")
    )


def _demo_participants() -> list[Participant]:
    active = Participant.objects.select_related("registration__user").filter(
        status=Participant.Status.ACTIVE
    )
    own = list(active.filter(registration__user__username=DEMO_APPLICANT)[:1])
    return own or list(active.order_by("pk")[:DEMO_ENROLMENTS])


def enrolment_demo_load() -> DemoSummary:
    made = participants_backfill(actor=None)
    enrolment_demo_journey()
    enrolled = 0
    batches = _bookable()
    if batches and not Enrolment.objects.exists():
        for participant in _demo_participants():
            for batch in batches:
                if batch.course.price > participant.balance:
                    continue
                try:
                    enrolment_create(
                        actor=participant.registration.user, participant=participant, batch=batch
                    )
                except ApplicationError:
                    continue  # full meanwhile, or not for this participant: try the next
                enrolled += 1
                break
    return DemoSummary(made, Participant.objects.count(), enrolled)
