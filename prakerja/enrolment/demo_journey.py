"""A published demo wave, so the training screens show real participants (``make run``).

Gelombang 1 stays open, as on the day it ran (``waves.demo``). Beside it this makes, once, a
small closed wave of 50 generated applicants in Surabaya and Malang (20 places), ranked,
approved by one demo manager and published by the other through the waves services, so the
``selection_published`` receiver makes the participants and the rest wait on the waiting
list. The demo applicant ("pendaftar") is among them and selected (laid off: the highest
priority of the group). Two other participants are taken through a course of the demo
provider ("lpk"): one passes with a certificate and a rating, one does not pass.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.enrolment.models import Enrolment, Participant
from prakerja.enrolment.services.completion import completion_record
from prakerja.enrolment.services.enrolments import enrolment_create
from prakerja.enrolment.services.ratings import rating_create
from prakerja.enrolment.testing import applicants_make, closed_wave_with
from prakerja.registry.models import Registration
from prakerja.registry.services.programme import programme_default
from prakerja.training.models import Course, CourseBatch, Provider
from prakerja.waves.models import Wave
from prakerja.waves.services import (
    selection_run_approve,
    selection_run_create,
    selection_run_execute,
    selection_run_publish,
)

DEMO_APPLICANT = "pendaftar"
DEMO_OPERATOR = "lpk"
DEMO_PROVIDER = "LPK Demo Surabaya"
QUOTAS = {"3578": 12, "3573": 8}
APPLICANTS = {"3578": 30, "3573": 20}


def _selection_published() -> None:
    programme = programme_default()
    first = User.objects.get(username="manajer")
    second = User.objects.get(username="manajer2")
    registrations: list[Registration] = []
    applicant = User.objects.filter(username=DEMO_APPLICANT).first()
    if applicant is not None and not Registration.objects.filter(user=applicant).exists():
        own = applicants_make(programme, "3578", 1, users=[applicant])
        Registration.objects.filter(pk=own[0].pk).update(full_name="Pendaftar Demo")
        registrations += own
    for code, n in APPLICANTS.items():
        made = applicants_make(programme, code, n - (1 if code == "3578" and registrations else 0))
        # Laid off outranks furloughed: the demo applicant (laid off) is surely selected.
        Registration.objects.filter(pk__in=[r.pk for r in made]).update(
            employment_status="furloughed"
        )
        registrations += made
    wave = closed_wave_with(programme, QUOTAS, registrations)
    Wave.objects.filter(pk=wave.pk).update(name=f"Gelombang {wave.number} (contoh pelatihan)")
    run = selection_run_create(actor=first, wave=wave, seed="demo-pelatihan")
    run = selection_run_execute(run_id=run.pk)
    run = selection_run_approve(actor=second, run=run)
    selection_run_publish(actor=second, run=run)


def _completions() -> None:
    operator = User.objects.filter(username=DEMO_OPERATOR).first()
    batch = (
        CourseBatch.objects.filter(
            course__provider__name=DEMO_PROVIDER,
            course__provider__status=Provider.Status.VERIFIED,
            course__status=Course.Status.PUBLISHED,
            starts_on__gt=timezone.localdate(),
            seats_taken__lt=F("seats") - 1,
        )
        .order_by("course__price", "starts_on")
        .first()
    )
    if operator is None or batch is None:
        return
    others = list(
        Participant.objects.filter(status=Participant.Status.ACTIVE, enrolments__isnull=True)
        .exclude(registration__user__username=DEMO_APPLICANT)
        .select_related("registration__user")
        .order_by("pk")[:2]
    )
    if len(others) < 2:
        return
    enrolments = [
        enrolment_create(actor=p.registration.user, participant=p, batch=batch) for p in others
    ]
    # Demo only: the batch ran last month, so its participants can be assessed.
    today = timezone.localdate()
    CourseBatch.objects.filter(pk=batch.pk).update(
        starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=2)
    )
    passed, failed = enrolments
    completion_record(actor=operator, enrolment_id=passed.pk, attendance_percent=95, final_score=88)
    completion_record(actor=operator, enrolment_id=failed.pk, attendance_percent=60, final_score=45)
    rating_create(
        actor=others[0].registration.user,
        enrolment_id=passed.pk,
        stars=5,
        comment="Materinya praktis dan instrukturnya sabar.",
    )


def enrolment_demo_journey() -> None:
    """Idempotent: only when no wave has been published yet, and only once."""
    if User.objects.filter(username__in=["manajer", "manajer2"]).count() != 2:
        return
    with transaction.atomic():
        if not Wave.objects.filter(status=Wave.Status.PUBLISHED).exists():
            _selection_published()
    with transaction.atomic():
        if not Enrolment.objects.filter(completed_at__isnull=False).exists():
            _completions()
