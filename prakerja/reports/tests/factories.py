"""A small, known population for the dashboard's tests: every funnel stage on a fixed WIB day.

Days (April 2020): registrations start on the 13th, three are sent on the 13th, two take the
test on the 14th, all three join a wave on the 14th, two are selected on the 15th, one buys a
course on the 15th and completes it on the 16th (and a second course on the 17th, which does
not count the person again). Besides: a draft started at a post on the 13th, two people
served at the Surabaya post, one call-centre confirmation and two worker reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from prakerja.accounts.models import User
from prakerja.assistance.console.testing import make_registration
from prakerja.assistance.models import AssistanceVisit, CallCentreLine, Post
from prakerja.callcenter.models import CallLog
from prakerja.enrolment.models import Enrolment, Participant
from prakerja.enrolment.testing import make_batch, published_selection
from prakerja.labourdata.models import Category
from prakerja.linkage.tests import factories as labour
from prakerja.registry.models import Registration
from prakerja.waves.models import WaveEntry

WIB = ZoneInfo("Asia/Jakarta")
D13, D14, D15, D16, D17 = (date(2020, 4, day) for day in range(13, 18))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


@dataclass
class Known:
    registrations: list[Registration]
    participants: list[Participant]
    post_draft: Registration


def known_population(*, officer: User, agent: User) -> Known:
    selection = published_selection(quotas={"3578": 2}, applicants={"3578": 3})
    registrations = selection.registrations
    ids = [r.pk for r in registrations]
    # 06:30 WIB on the 13th is still the 12th in UTC: counted on the 13th.
    Registration.objects.filter(pk__in=ids).update(
        created_at=at(D13, 6, 30), submitted_at=at(D13, 10), updated_at=at(D14, 9)
    )
    Registration.objects.filter(pk__in=ids[:2]).update(test_completed_at=at(D14, 9))
    User.objects.filter(registrations__pk__in=ids[:2]).update(phone_verified_at=at(D13, 6))
    WaveEntry.objects.filter(registration_id__in=ids).update(joined_at=at(D14, 12))
    participants = selection.participants()
    Participant.objects.filter(pk__in=[p.pk for p in participants]).update(selected_at=at(D15, 8))
    first = participants[0]
    Participant.objects.filter(pk=first.pk).update(first_enrolled_at=at(D15, 9))
    for completed in (at(D16, 15), at(D17, 15)):
        Enrolment.objects.create(
            participant=first,
            batch=make_batch(),
            price=500_000,
            status=Enrolment.Status.COMPLETED,
            completed_at=completed,
        )
    post: Post = officer.post  # type: ignore[assignment]
    post_draft = make_registration(post=post, officer=officer)
    Registration.objects.filter(pk=post_draft.pk).update(
        created_at=at(D13, 11), updated_at=at(D13, 11)
    )
    for hour in (9, 14):
        visit = AssistanceVisit.objects.create(post=post, officer=officer, services=["x"])
        AssistanceVisit.objects.filter(pk=visit.pk).update(created_at=at(D13, hour))
    line, _ = CallCentreLine.objects.get_or_create(number="1500-911", defaults={"name": "Uji"})
    call = CallLog.objects.create(
        line=line,
        agent=agent,
        category=CallLog.Category.STATUS_CONFIRMATION,
        registration=registrations[0],
        outcome=CallLog.Outcome.RESOLVED,
    )
    CallLog.objects.filter(pk=call.pk).update(created_at=at(D14, 16))
    reports_batch = labour.batch()
    type(reports_batch).objects.filter(pk=reports_batch.pk).update(
        created_at=at(D14, 8), finished_at=at(D14, 8, 5)
    )
    labour.worker(
        nik="3578011708900001",
        full_name="Sri Wahyuni",
        reports=[(reports_batch, Category.LAID_OFF, "3578")],
    )
    labour.worker(
        nik="3578015505910002",
        full_name="Agus Salim",
        reports=[(reports_batch, Category.FURLOUGHED, "3578")],
    )
    return Known(registrations=registrations, participants=participants, post_draft=post_draft)
