"""Results are announced by SMS (and email when given), exactly once per applicant and wave."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prakerja.accounts.models import User
from prakerja.core.signals import selection_published
from prakerja.notifications.backends import SmsDeliveryError
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.models import Programme, Registration
from prakerja.registry.services.programme import registry_seed_load
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import Step
from prakerja.registry.tests.conftest import complete_registration
from prakerja.waves.announcements import (
    SMS_MAX_CHARS,
    announcement_texts,
    wave_results_announce,
    wave_results_announce_job,
)
from prakerja.waves.models import (
    Announcement,
    SelectionResult,
    SelectionRun,
    Wave,
    WaveEntry,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme() -> Programme:
    return registry_seed_load().programme


def _submitted(n: int, *, email: str = "") -> Registration:
    registration = complete_registration(
        serial=n,
        kk_serial=100 + n,
        overrides={Step.CONTACT: {"phone": f"0812 3456 {7000 + n}", "email": email}},
    )
    return registration_submit(actor=registration.user, registration=registration)


def _wave(programme: Programme) -> Wave:
    now = timezone.now()
    return Wave.objects.create(
        programme=programme,
        number=1,
        name="Gelombang 1",
        opens_at=now - timedelta(days=7),
        closes_at=now - timedelta(days=1),
        total_quota=10,
        status=Wave.Status.PUBLISHED,
    )


def _run(wave: Wave, creator: User, status: str = SelectionRun.Status.PUBLISHED) -> SelectionRun:
    return SelectionRun.objects.create(
        wave=wave,
        created_by=creator,
        status=status,
        seed="a" * 64,
        seed_published_at=timezone.now(),
        published_at=timezone.now() if status == SelectionRun.Status.PUBLISHED else None,
    )


def _result(run: SelectionRun, registration: Registration, *, selected: bool, rank: int) -> None:
    WaveEntry.objects.create(
        wave=run.wave,
        registration=registration,
        status=WaveEntry.Status.SELECTED if selected else WaveEntry.Status.NOT_SELECTED,
    )
    SelectionResult.objects.create(
        run=run,
        registration=registration,
        regency_id="3578",
        priority=140 if selected else 40,
        lottery=rank,
        rank_in_regency=rank,
        selected=selected,
        reason_code=(
            SelectionResult.Reason.SELECTED_PRIORITY
            if selected
            else SelectionResult.Reason.QUOTA_FULL
        ),
    )


@pytest.fixture
def published(programme: Programme, manager: User) -> dict[str, Any]:
    """A published wave: one selected (with email), one not selected, one on the waiting list."""
    wave = _wave(programme)
    run = _run(wave, manager)
    chosen = _submitted(1, email="siti@example.org")
    left_out = _submitted(2)
    waiting = complete_registration(
        serial=3,
        kk_serial=103,
        overrides={Step.CONTACT: {"phone": "0812 3456 7003", "email": ""}},
    )
    _result(run, chosen, selected=True, rank=1)
    _result(run, left_out, selected=False, rank=2)
    WaveEntry.objects.create(
        wave=wave, registration=waiting, status=WaveEntry.Status.WAITING, missing_items=["test"]
    )
    return {"wave": wave, "run": run, "chosen": chosen, "left_out": left_out, "waiting": waiting}


def _sms_to(phone: str) -> list[str]:
    return list(
        OutboxMessage.objects.filter(channel="sms", recipient=phone)
        .order_by("pk")
        .values_list("body", flat=True)
    )


def test_it_texts_each_applicant_their_result_and_emails_those_with_an_email(
    published: dict[str, Any],
) -> None:
    summary = wave_results_announce(wave_id=published["wave"].pk)

    assert (summary.claimed, summary.sms_sent, summary.email_sent, summary.failed) == (3, 3, 1, 0)
    chosen = published["chosen"].reference
    (selected_sms,) = _sms_to("+6281234567001")
    assert selected_sms == (
        "Selamat, Anda TERPILIH sebagai peserta Kartu Prakerja Jatim Gelombang 1 "
        f"(No. {chosen}). Lihat langkah berikutnya di halaman status pendaftaran."
    )
    (left_out_sms,) = _sms_to("+6281234567002")
    assert "belum terpilih" in left_out_sms
    assert "031-8293097" in left_out_sms
    (waiting_sms,) = _sms_to("+6281234567003")
    assert "daftar tunggu" in waiting_sms
    # Email only to the applicant who gave one (outbox email backend in the demo).
    assert OutboxMessage.objects.filter(channel="email").count() + len(mail.outbox) == 1
    rows = Announcement.objects.filter(wave=published["wave"])
    assert sorted(rows.values_list("outcome", flat=True)) == [
        "not_selected",
        "selected",
        "waiting",
    ]
    assert rows.filter(sms_sent_at__isnull=True).count() == 0


def test_running_the_announcement_again_sends_nothing_twice(published: dict[str, Any]) -> None:
    wave_results_announce(wave_id=published["wave"].pk)
    messages_after_first = OutboxMessage.objects.count()

    again = wave_results_announce(wave_id=published["wave"].pk)

    assert again.claimed == 0
    assert OutboxMessage.objects.count() == messages_after_first
    assert Announcement.objects.filter(wave=published["wave"]).count() == 3


def test_an_applicant_claimed_by_another_worker_is_not_texted(
    published: dict[str, Any],
) -> None:
    # Another execution claimed this applicant (and may be sending right now, or crashed).
    Announcement.objects.create(
        wave=published["wave"],
        registration=published["chosen"],
        outcome="selected",
        claim="other-worker",
        claimed_at=timezone.now(),
    )

    summary = wave_results_announce(wave_id=published["wave"].pk)

    assert summary.claimed == 2
    assert _sms_to("+6281234567001") == []
    assert len(_sms_to("+6281234567002")) == 1


def test_an_applicant_who_joins_a_later_announcement_is_texted_then(
    published: dict[str, Any], programme: Programme
) -> None:
    wave_results_announce(wave_id=published["wave"].pk)
    late = _submitted(4)
    _result(published["run"], late, selected=False, rank=3)

    summary = wave_results_announce(wave_id=published["wave"].pk)

    assert summary.claimed == 1
    assert len(_sms_to("+6281234567004")) == 1
    assert len(_sms_to("+6281234567001")) == 1


def test_a_gateway_failure_is_recorded_and_not_retried(
    published: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*, to: str, body: str) -> None:
        raise SmsDeliveryError("http_503")

    monkeypatch.setattr("prakerja.waves.announcements.sms_send", refuse)
    summary = wave_results_announce(wave_id=published["wave"].pk)
    assert summary.failed == 3
    assert set(
        Announcement.objects.filter(wave=published["wave"]).values_list("error", flat=True)
    ) == {"sms:http_503"}

    monkeypatch.undo()
    assert wave_results_announce(wave_id=published["wave"].pk).claimed == 0
    assert OutboxMessage.objects.filter(channel="sms").count() == 0


def test_nothing_is_announced_before_the_run_is_published(
    programme: Programme, manager: User
) -> None:
    wave = _wave(programme)
    run = _run(wave, manager, status=SelectionRun.Status.APPROVED)
    _result(run, _submitted(1), selected=True, rank=1)

    summary = wave_results_announce(wave_id=wave.pk)

    assert summary.claimed == 0
    assert OutboxMessage.objects.count() == 0
    assert Announcement.objects.count() == 0


def test_publishing_queues_the_announcement_job_after_commit(
    published: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        selection_published.send(
            sender=SelectionRun,
            run=published["run"],
            wave=published["wave"],
            registration_ids=[published["chosen"].pk],
        )
        # Nothing before the commit (the receipts of the fixture's submissions are other jobs).
        announce_jobs = DBTaskResult.objects.filter(task_path=wave_results_announce_job.module_path)
        assert announce_jobs.count() == 0

    assert len(callbacks) >= 1
    job = DBTaskResult.objects.get(task_path=wave_results_announce_job.module_path)
    assert job.args_kwargs["kwargs"] == {"wave_id": published["wave"].pk}

    # The real worker runs it; a second copy of the job sends nothing more.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    wave_results_announce_job.enqueue(wave_id=published["wave"].pk)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    # The worker also sends the receipts of the fixture's submissions: count the results only.
    results = OutboxMessage.objects.filter(channel="sms", body__contains=published["wave"].name)
    assert results.count() == 3
    assert Announcement.objects.filter(wave=published["wave"]).count() == 3


@pytest.fixture
def regions_loaded(transactional_db: None) -> None:
    # A transactional test flushes every table when it ends; load the regions again (a no-op
    # while they are there), as the registry's concurrency tests do.
    from prakerja.regions.services import regions_load

    regions_load()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_announcing_the_same_wave_at_once_text_each_applicant_once(
    regions_loaded: None, published: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # One applicant per batch, so the two workers' claims interleave row by row.
    monkeypatch.setattr("prakerja.waves.announcements.BATCH_SIZE", 1)
    barrier = threading.Barrier(2)
    summaries: list[Any] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            summaries.append(wave_results_announce(wave_id=published["wave"].pk))
        except BaseException as exc:  # reported below, in the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert sum(summary.claimed for summary in summaries) == 3
    recipients = list(
        OutboxMessage.objects.filter(channel="sms").values_list("recipient", flat=True)
    )
    assert sorted(recipients) == ["+6281234567001", "+6281234567002", "+6281234567003"]


@pytest.mark.parametrize("outcome", ["selected", "not_selected", "waiting"])
def test_every_text_fits_in_two_sms_even_with_a_long_wave_name(outcome: str) -> None:
    sms, subject, body = announcement_texts(
        outcome=outcome, reference="PJ-7K3M-9Q2X", wave_name="Gelombang 12 Tahap Lanjutan"
    )
    assert len(sms) <= SMS_MAX_CHARS
    assert sms.isascii()  # GSM-7: one SMS is 160 characters, not 70 as in UCS-2
    assert subject and sms in body


def test_an_announcement_whose_worker_died_is_taken_back_and_texts_nobody_twice(
    published: dict[str, Any], client: Any, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from prakerja.core.tests.leases import assert_taken_back, strand, worker_run_all
    from prakerja.waves.announcements import ANNOUNCE_JOB

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    wave = published["wave"]
    # The dead worker had announced to everyone, then lost the last applicant's row (as if it
    # was killed before claiming that one): the re-run must text only that applicant.
    wave_results_announce(wave_id=wave.pk)
    Announcement.objects.filter(registration=published["waiting"]).delete()
    OutboxMessage.objects.filter(recipient="+6281234567003", body__contains=wave.name).delete()
    stale = strand(ANNOUNCE_JOB, wave.pk, wave_results_announce_job)
    assert client.get("/healthz").json()["jobs"] == "expired"

    worker_run_all(monkeypatch)  # reaps at start, then runs the announcement again

    assert_taken_back(stale)
    again = DBTaskResult.objects.exclude(pk=stale.pk).get(task_path=stale.task_path)
    assert (again.return_value or {}).get("claimed") == 1
    results = OutboxMessage.objects.filter(channel="sms", body__contains=wave.name)
    assert sorted(results.values_list("recipient", flat=True)) == [
        "+6281234567001",
        "+6281234567002",
        "+6281234567003",
    ]
    assert Announcement.objects.filter(wave=wave).count() == 3
    assert client.get("/healthz").json()["jobs"] == "ok"
