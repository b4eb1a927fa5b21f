"""The signal job over real tables, and the reviewers' queue through HTTP."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user, sign_in_with_totp
from prakerja.assistance.models import Post
from prakerja.core.errors import ApplicationError
from prakerja.enrolment.testing import applicants_make
from prakerja.fraud.models import Kind, Signal, SignalRule
from prakerja.fraud.services import signal_decide, signals_run
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import Kind as ImportKind
from prakerja.linkage.models import JpsReviewCase
from prakerja.linkage.tests.factories import batch as import_batch
from prakerja.linkage.tests.factories import jps_receipt
from prakerja.payments.models import Instalment
from prakerja.payments.services import accounts, schedule
from prakerja.payments.testing import completed_participants
from prakerja.registry.models import Channel, Registration
from prakerja.registry.services.programme import programme_default

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def _signals(kind: str) -> list[Signal]:
    return list(Signal.objects.filter(kind=kind))


def test_many_niks_on_one_phone_is_one_signal_updated_not_duplicated() -> None:
    registrations = applicants_make(programme_default(), "3578", 4)
    shared = "+6281399990001"
    Registration.objects.filter(pk__in=[r.pk for r in registrations[:3]]).update(phone=shared)
    summary = signals_run()
    (signal,) = _signals(Kind.PHONE_SHARED)
    assert signal.count == 3 and summary.new >= 1
    assert "99990001" not in signal.key and shared not in str(signal.evidence)
    assert {row["reference"] for row in signal.evidence["rows"]} == {
        r.reference for r in registrations[:3]
    }
    assert signals_run().new == 0
    assert Signal.objects.filter(kind=Kind.PHONE_SHARED).count() == 1


def test_a_false_alarm_stays_closed_until_the_evidence_grows() -> None:
    registrations = applicants_make(programme_default(), "3578", 4)
    shared = "+6281399990002"
    Registration.objects.filter(pk__in=[r.pk for r in registrations[:3]]).update(phone=shared)
    signals_run()
    (signal,) = _signals(Kind.PHONE_SHARED)
    reviewer = make_user(role=Role.MANAGER)
    with pytest.raises(ApplicationError) as no_note:
        signal_decide(actor=reviewer, signal_id=signal.pk, verdict="false_alarm", note=" ")
    assert (no_note.value.code, no_note.value.status) == ("fraud.note_required", 422)
    with pytest.raises(ApplicationError) as denied:
        signal_decide(
            actor=make_user(role=Role.OFFICER), signal_id=signal.pk, verdict="false_alarm", note="x"
        )
    assert denied.value.status == 403
    signal_decide(
        actor=reviewer, signal_id=signal.pk, verdict="false_alarm", note="Satu keluarga, dicek."
    )
    signals_run()
    assert Signal.objects.get(pk=signal.pk).status == Signal.Status.FALSE_ALARM
    Registration.objects.filter(pk=registrations[3].pk).update(phone=shared)
    assert signals_run().reopened == 1
    signal.refresh_from_db()
    assert (signal.status, signal.count) == (Signal.Status.OPEN, 4)
    assert signal.history.filter(history_change_reason="ditinjau: false_alarm").exists()


def test_an_account_entered_by_a_second_person_and_a_paid_participant_with_an_open_jps_case() -> (
    None
):
    first, second = completed_participants(2)
    accounts.account_register(
        actor=first.registration.user,
        channel="bank",
        provider="002",
        number="1234567890",
        holder_name=first.registration.full_name,
    )
    with pytest.raises(ApplicationError):
        accounts.account_register(
            actor=second.registration.user,
            channel="bank",
            provider="002",
            number="1234567890",
            holder_name=second.registration.full_name,
        )
    schedule.instalments_make_due()
    Instalment.objects.filter(participant=first, sequence=1).update(
        status=Instalment.Status.PAID, paid_at=timezone.now()
    )
    recipient = jps_receipt(
        nik=fake_nik(serial=7001),
        full_name=first.registration.full_name,
        jps_batch=import_batch(kind=ImportKind.JPS),
    )
    JpsReviewCase.objects.create(
        registration=first.registration, recipient=recipient, trigger="selection"
    )
    signals_run()
    (refused,) = _signals(Kind.ACCOUNT_REFUSED)
    assert {row["reference"] for row in refused.evidence["rows"]} == {
        first.registration.reference,
        second.registration.reference,
    }
    (jps,) = _signals(Kind.PAID_JPS_OPEN)
    assert jps.key == str(first.pk)


def test_an_officer_registering_after_the_post_closed() -> None:
    officer = make_user(role=Role.OFFICER)
    assert officer.post_id is not None
    post = Post.objects.get(pk=officer.post_id)
    Post.objects.filter(pk=post.pk).update(opens_at=time(8, 0), closes_at=time(15, 0))
    registrations = applicants_make(programme_default(), "3578", 2)
    late = datetime.combine(timezone.localdate(), time(22, 15), tzinfo=WIB)
    inside = datetime.combine(timezone.localdate(), time(10, 0), tzinfo=WIB)
    for registration, at in zip(registrations, (late, inside), strict=True):
        Registration.objects.filter(pk=registration.pk).update(
            channel=Channel.POST, assisted_by=officer, assisted_post=post, submitted_at=at
        )
    signals_run()
    (signal,) = _signals(Kind.OFFICER_OUT_OF_HOURS)
    assert signal.count == 1
    assert [row["reference"] for row in signal.evidence["rows"]] == [registrations[0].reference]
    SignalRule.objects.filter(kind=Kind.OFFICER_VOLUME).update(min_count=2)
    signals_run()
    assert _signals(Kind.OFFICER_VOLUME)[0].count == 2


def test_the_queue_shows_the_evidence_and_records_the_decision() -> None:
    registrations = applicants_make(programme_default(), "3578", 3)
    Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
        email="keluarga@contoh.id"
    )
    signals_run()
    (signal,) = _signals(Kind.EMAIL_SHARED)
    client = Client()
    sign_in_with_totp(client, make_user(role=Role.TREASURY))
    page = client.get("/sinyal/").content.decode()
    assert "Banyak NIK memakai satu alamat email" in page and "ke***@contoh.id" in page
    detail = client.get(f"/sinyal/{signal.pk}/").content.decode()
    assert registrations[0].reference in detail
    refused = client.post(f"/sinyal/{signal.pk}/", {"verdict": "confirmed", "note": ""})
    assert refused.status_code == 422 and 'id="error-summary"' in refused.content.decode()
    done = client.post(f"/sinyal/{signal.pk}/", {"verdict": "confirmed", "note": "Akun palsu."})
    assert done.status_code == 302
    assert Signal.objects.get(pk=signal.pk).status == Signal.Status.CONFIRMED
    officer = Client()
    sign_in_with_totp(officer, make_user(role=Role.DATA_OFFICER))
    assert officer.get("/sinyal/").status_code == 403
