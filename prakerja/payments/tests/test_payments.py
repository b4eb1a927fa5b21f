"""Payments through the services: accounts, the due job, batches with four eyes, the bank's
files, reconciliation, and a ledger that always balances with the instalments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user
from prakerja.core.errors import ApplicationError
from prakerja.enrolment.models import Participant
from prakerja.identity import crypto
from prakerja.notifications.models import OutboxMessage
from prakerja.payments import selectors
from prakerja.payments.models import (
    AccountRefusal,
    ChangeCode,
    IncentiveRule,
    Instalment,
    PaymentAccount,
    PaymentBatch,
    PaymentLine,
    PaymentMovement,
    Survey,
)
from prakerja.payments.services import accounts, batches, reconciliation, schedule
from prakerja.payments.testing import completed_participants, result_csv, treasury_officer

pytestmark = pytest.mark.django_db


def _code(exc: pytest.ExceptionInfo[ApplicationError]) -> tuple[str, int]:
    return exc.value.code, exc.value.status


def _account(participant: Participant, number: str = "1234567890", **kw: Any) -> PaymentAccount:
    return accounts.account_register(
        actor=participant.registration.user,
        channel=kw.pop("channel", "bank"),
        provider=kw.pop("provider", "002"),
        number=number,
        holder_name=kw.pop("holder_name", participant.registration.full_name),
        **kw,
    )


def _paid_ready(n: int = 2) -> list[Participant]:
    participants = completed_participants(n)
    for k, participant in enumerate(participants):
        _account(participant, number=f"00012345{k:04d}")
    schedule.instalments_make_due()
    return participants


# --- Schedule ---------------------------------------------------------------------------


def test_the_default_schedule_is_data_four_instalments_and_three_surveys() -> None:
    (participant,) = completed_participants(1)
    schedule.payment_settings_get(programme_id=participant.wave.programme_id)
    rules = IncentiveRule.objects.filter(programme_id=participant.wave.programme_id)
    completion = rules.get(kind=IncentiveRule.Kind.COMPLETION)
    assert (completion.amount, completion.count, completion.interval_days) == (600_000, 4, 30)
    assert sorted(rules.filter(kind="survey").values_list("amount", flat=True)) == [50_000] * 3
    assert Survey.objects.filter(programme_id=participant.wave.programme_id).count() == 3


def test_the_due_job_makes_each_instalment_once_on_its_day() -> None:
    (participant,) = completed_participants(1)
    first = schedule.instalments_make_due()
    again = schedule.instalments_make_due()
    assert (first.created, first.became_due) == (1, 1)
    assert (again.created, again.became_due) == (0, 0)
    timeline = selectors.participant_timeline(participant=participant)
    assert [row.status for row in timeline.instalments] == ["due"] + ["scheduled"] * 3
    assert [row.due_on - timeline.instalments[0].due_on for row in timeline.instalments] == [
        timedelta(days=d) for d in (0, 30, 60, 90)
    ]

    later = schedule.instalments_make_due(today=timezone.localdate() + timedelta(days=61))
    assert (later.created, later.became_due) == (2, 2)
    rows = Instalment.objects.filter(participant=participant).order_by("sequence")
    assert [(row.sequence, row.status) for row in rows] == [(1, "due"), (2, "due"), (3, "due")]
    assert selectors.ledger_mismatches() == {}


def test_someone_without_a_completed_course_gets_nothing() -> None:
    from prakerja.enrolment.testing import make_participant

    make_participant()
    assert schedule.instalments_make_due().created == 0


def test_a_survey_is_answered_once_and_pays_its_incentive() -> None:
    (participant,) = completed_participants(1)
    user = participant.registration.user
    schedule.payment_settings_get(programme_id=participant.wave.programme_id)
    survey = Survey.objects.get(programme_id=participant.wave.programme_id, number=1)
    answers = {q["key"]: q["choices"][0] for q in survey.questions}
    with pytest.raises(ApplicationError) as bad:
        schedule.survey_answer(actor=user, survey_id=survey.pk, answers={"satisfaction": "x"})
    assert _code(bad) == ("payment.survey_invalid", 422)

    schedule.survey_answer(actor=user, survey_id=survey.pk, answers=answers)
    with pytest.raises(ApplicationError) as twice:
        schedule.survey_answer(actor=user, survey_id=survey.pk, answers=answers)
    assert _code(twice) == ("payment.survey_answered", 409)
    later = Survey.objects.get(programme_id=participant.wave.programme_id, number=2)
    with pytest.raises(ApplicationError) as early:
        schedule.survey_answer(actor=user, survey_id=later.pk, answers={})
    assert _code(early) == ("payment.survey_not_found", 409)

    schedule.instalments_make_due()
    survey_rows = Instalment.objects.filter(participant=participant, rule__kind="survey")
    assert [(row.amount, row.status) for row in survey_rows] == [(50_000, "due")]


# --- Accounts ---------------------------------------------------------------------------


def test_an_account_in_the_registered_name_is_ready_and_stored_encrypted() -> None:
    (participant,) = completed_participants(1)
    account = _account(participant, number="1234 5678 90")
    assert account.name_check == PaymentAccount.NameCheck.MATCHED
    assert account.number_last4 == "7890"
    assert "1234567890" not in account.number_encrypted
    assert crypto.decrypt(account.number_encrypted) == "1234567890"
    assert account.blocked_until is None


def test_a_different_holder_name_waits_for_review_and_a_reviewer_decides(
    django_capture_on_commit_callbacks: Any,
) -> None:
    capture = django_capture_on_commit_callbacks
    (participant,) = completed_participants(1)
    account = _account(participant, holder_name="Bambang Sutrisno Wijayakusuma")
    assert account.name_check == PaymentAccount.NameCheck.REVIEW
    with pytest.raises(ApplicationError) as not_staff:
        accounts.account_review(
            actor=participant.registration.user, account_id=account.pk, accept=True
        )
    assert not_staff.value.status == 403
    with capture(execute=True):
        reviewed = accounts.account_review(
            actor=treasury_officer(), account_id=account.pk, accept=False
        )
    assert reviewed.name_check == PaymentAccount.NameCheck.REJECTED
    assert OutboxMessage.objects.filter(body__contains="ditolak").exists()


def test_one_account_pays_one_person_and_a_second_person_is_refused_and_recorded() -> None:
    first, second = completed_participants(2)
    _account(first, number="9876543210")
    with pytest.raises(ApplicationError) as taken:
        _account(second, number="98765-43210")
    assert _code(taken) == ("payment.account_taken", 409)
    refusal = AccountRefusal.objects.get()
    assert (refusal.participant_id, refusal.holder_id) == (second.pk, first.pk)
    assert not PaymentAccount.objects.filter(participant=second).exists()


@pytest.mark.parametrize(
    ("channel", "provider", "number", "field"),
    [
        ("bank", "999", "1234567890", "provider"),
        ("bank", "002", "12ab", "number"),
        ("bank", "002", "123", "number"),
        ("ewallet", "gopay", "12345", "number"),
        ("ewallet", "paypal", "081234567890", "provider"),
        ("cash", "002", "1234567890", "channel"),
    ],
)
def test_a_malformed_account_is_refused_with_its_field(
    channel: str, provider: str, number: str, field: str
) -> None:
    (participant,) = completed_participants(1)
    with pytest.raises(ApplicationError) as bad:
        _account(participant, number=number, channel=channel, provider=provider)
    assert (bad.value.code, bad.value.field, bad.value.status) == (
        "payment.account_invalid",
        field,
        422,
    )


def test_changing_the_account_needs_the_sms_code_and_holds_payments_for_a_day(
    django_capture_on_commit_callbacks: Any,
) -> None:
    capture = django_capture_on_commit_callbacks
    (participant,) = completed_participants(1)
    _account(participant, number="1111111111")
    with pytest.raises(ApplicationError) as no_code:
        _account(participant, number="2222222222")
    assert _code(no_code) == ("payment.code_required", 422)
    with capture(execute=True):
        accounts.change_code_send(actor=participant.registration.user)
    with pytest.raises(ApplicationError) as wrong:
        _account(participant, number="2222222222", code="000000x")
    assert _code(wrong) == ("payment.code_invalid", 422)
    sms = OutboxMessage.objects.filter(body__contains="Kode ganti rekening").latest("id")
    code = sms.body.split(": ")[1][:6]
    account = _account(participant, number="2222222222", code=code)
    assert account.blocked_until is not None
    assert account.blocked_until > timezone.now() + timedelta(hours=23)
    assert PaymentAccount.objects.filter(participant=participant).count() == 2
    assert ChangeCode.objects.get().used_at is not None
    assert account.history.first().history_change_reason == "rekening diganti"

    schedule.instalments_make_due()
    with pytest.raises(ApplicationError) as held:
        batches.batch_build(actor=treasury_officer())
    assert _code(held) == ("payment.batch_empty", 409)


# --- Batches ------------------------------------------------------------------------------


def test_a_batch_needs_a_second_officer_and_an_approval_before_its_file() -> None:
    _paid_ready(2)
    builder, approver = treasury_officer(), treasury_officer()
    batch = batches.batch_build(actor=builder)
    assert (batch.line_count, batch.total) == (2, 1_200_000)
    assert set(Instalment.objects.filter(status="in_batch").values_list("amount", flat=True)) == {
        600_000
    }
    with pytest.raises(ApplicationError) as unapproved:
        batches.batch_export(actor=builder, batch_id=batch.pk, layout="bank")
    assert _code(unapproved) == ("payment.batch_not_approved", 409)
    with pytest.raises(ApplicationError) as own:
        batches.batch_approve(actor=builder, batch_id=batch.pk)
    assert _code(own) == ("payment.batch_self_approval", 409)
    batches.batch_approve(actor=approver, batch_id=batch.pk)

    first = batches.batch_export(actor=builder, batch_id=batch.pk, layout="bank")
    again = batches.batch_export(actor=approver, batch_id=batch.pk, layout="bank")
    assert first.content == again.content
    lines = first.content.decode().splitlines()
    assert lines[0].startswith(f"H,{batch.code},") and lines[0].endswith(",2,1200000")
    assert lines[1].startswith("D,") and ",002,00012345000" in lines[1]
    assert lines[-1].split(",")[:3] == ["T", "2", "1200000"]
    import hashlib

    details = "".join(line + "\r\n" for line in lines[1:-1])
    assert lines[-1].split(",")[3] == hashlib.sha256(details.encode()).hexdigest()
    assert batches.batch_export(actor=builder, batch_id=batch.pk, layout="ewallet").lines == 0


def test_an_instalment_in_an_open_batch_is_in_no_other_batch() -> None:
    _paid_ready(1)
    batches.batch_build(actor=treasury_officer())
    with pytest.raises(ApplicationError) as empty:
        batches.batch_build(actor=treasury_officer())
    assert _code(empty) == ("payment.batch_empty", 409)
    line = PaymentLine.objects.get()
    with pytest.raises(Exception):  # noqa: B017 - the database's constraint
        PaymentLine.objects.create(
            batch=line.batch,
            instalment=line.instalment,
            participant=line.participant,
            amount=line.amount,
            channel="bank",
            provider="002",
            number_encrypted="x",
            holder_name="x",
        )


def test_the_account_cannot_change_while_its_payment_is_at_the_bank() -> None:
    (participant,) = _paid_ready(1)
    batches.batch_build(actor=treasury_officer())
    with pytest.raises(ApplicationError) as locked:
        _account(participant, number="5555555555", code="123456")
    assert _code(locked) == ("payment.account_in_open_batch", 409)


def test_only_the_treasury_builds_batches() -> None:
    _paid_ready(1)
    for role in (Role.MANAGER, Role.DATA_OFFICER, Role.VIEWER):
        with pytest.raises(ApplicationError) as denied:
            batches.batch_build(actor=make_user(role=role))
        assert denied.value.status == 403
    assert not PaymentBatch.objects.exists()


# --- Reconciliation -----------------------------------------------------------------------


def _approved_batch() -> tuple[PaymentBatch, list[PaymentLine]]:
    batch = batches.batch_build(actor=treasury_officer())
    batches.batch_approve(actor=treasury_officer(), batch_id=batch.pk)
    return batch, list(PaymentLine.objects.filter(batch=batch).order_by("id"))


def test_one_paid_one_failed_then_the_failed_one_is_fixed_and_paid_in_the_next_batch(
    django_capture_on_commit_callbacks: Any,
) -> None:
    capture = django_capture_on_commit_callbacks
    first_p, second_p = _paid_ready(2)
    batch, (one, two) = _approved_batch()
    officer = treasury_officer()
    content = result_csv(
        [
            (batch.code, one.pk, one.amount, "paid", ""),
            (batch.code, two.pk, two.amount, "failed", "Rekening tidak ditemukan"),
        ]
    )
    with capture(execute=True):
        summary = reconciliation.result_import(actor=officer, name="hasil.csv", content=content)
    assert (summary.paid, summary.failed, summary.problems) == (1, 1, [])
    failed = Instalment.objects.get(pk=two.instalment_id)
    assert (failed.status, failed.problem) == ("due", "Rekening tidak ditemukan")
    assert Instalment.objects.get(pk=one.instalment_id).status == "paid"
    assert PaymentBatch.objects.get(pk=batch.pk).status == "reconciled"
    assert OutboxMessage.objects.filter(body__contains="Rekening tidak ditemukan").exists()
    assert selectors.ledger_mismatches() == {}

    with pytest.raises(ApplicationError) as twice:
        reconciliation.result_import(actor=officer, name="hasil.csv", content=content)
    assert _code(twice) == ("payment.result_file_duplicate", 409)

    participant = second_p if two.participant_id == second_p.pk else first_p
    with capture(execute=True):
        accounts.change_code_send(actor=participant.registration.user)
    code = (
        OutboxMessage.objects.filter(body__contains="Kode ganti")
        .latest("id")
        .body.split(": ")[1][:6]
    )
    _account(participant, number="7777777777", code=code)
    PaymentAccount.objects.filter(participant=participant, is_active=True).update(
        blocked_until=None
    )
    batch2, (line,) = _approved_batch()
    assert crypto.decrypt(line.number_encrypted) == "7777777777"
    reconciliation.result_import(
        actor=officer,
        name="hasil2.csv",
        content=result_csv([(batch2.code, line.pk, line.amount, "berhasil", "")]),
    )
    assert Instalment.objects.filter(status="paid").count() == 2
    assert selectors.ledger_mismatches() == {}
    assert selectors.bucket_balances()["paid"] == 1_200_000
    (row,) = selectors.report_by_regency_month(actor=officer)
    assert (row.due, row.batched, row.paid, row.failed, row.returned) == (
        1_200_000,
        1_800_000,
        1_200_000,
        600_000,
        0,
    )


def test_bad_lines_are_reported_and_change_no_money() -> None:
    _paid_ready(3)
    batch, (one, two, three) = _approved_batch()
    before = PaymentMovement.objects.count()
    content = result_csv(
        [
            (batch.code, one.pk, one.amount, "paid", ""),
            (batch.code, one.pk, one.amount, "paid", ""),
            ("PB-999999", two.pk, two.amount, "paid", ""),
            (batch.code, three.pk, three.amount + 1, "paid", ""),
            (batch.code, 424242, 600000, "=HYPERLINK()", ""),
            (batch.code, 424243, 600000, "lunas", ""),
            (batch.code, 424244, 600000, "paid", ""),
        ]
    )
    summary = reconciliation.result_import(actor=treasury_officer(), name="x.csv", content=content)
    assert summary.paid == 1
    assert sorted(problem["line"] for problem in summary.problems) == [3, 4, 5, 6, 7, 8]
    assert PaymentMovement.objects.count() == before + 1
    assert set(
        Instalment.objects.filter(pk__in=[two.instalment_id, three.instalment_id]).values_list(
            "status", flat=True
        )
    ) == {"in_batch"}
    assert selectors.ledger_mismatches() == {}


@pytest.mark.parametrize(
    ("content", "code", "status"),
    [
        (
            "batch,line,amount,status,reason\n1,2,3,paid,\n".encode("utf-16"),
            "payment.result_file_encoding",
            400,
        ),
        (b"\xff\xfe\x00garbage", "payment.result_file_encoding", 400),
        (b"nomor,jumlah\n1,2\n", "payment.result_file_invalid", 422),
        (b"", "payment.result_file_invalid", 422),
    ],
)
def test_an_unreadable_result_file_is_refused_whole(content: bytes, code: str, status: int) -> None:
    with pytest.raises(ApplicationError) as bad:
        reconciliation.result_import(actor=treasury_officer(), name="x.csv", content=content)
    assert _code(bad) == (code, status)
    assert not PaymentMovement.objects.exists()
