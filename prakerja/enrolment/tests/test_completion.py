"""Completion, certificates, public verification, ratings and the managers' table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user, sign_in_with_totp
from prakerja.core.errors import ApplicationError
from prakerja.enrolment import selectors_stats
from prakerja.enrolment.models import Certificate, Enrolment, Participant, Rating
from prakerja.enrolment.services import certificates, completion, ratings
from prakerja.enrolment.services.enrolments import enrolment_create
from prakerja.enrolment.testing import make_batch, make_participant
from prakerja.training.models import CourseBatch, Provider

pytestmark = pytest.mark.django_db


def _enrolled(batch: CourseBatch | None = None) -> Enrolment:
    participant = make_participant()
    batch = batch or make_batch(price=500_000)
    user = participant.registration.user
    return enrolment_create(actor=user, participant=participant, batch=batch)


def _started(enrolment: Enrolment) -> None:
    CourseBatch.objects.filter(pk=enrolment.batch_id).update(
        starts_on=timezone.localdate() - timedelta(days=5)
    )
    enrolment.refresh_from_db()


def _operator(provider: Provider) -> User:
    return make_user(role=Role.PROVIDER, provider=provider)


def test_a_passing_score_completes_and_issues_a_verifiable_certificate() -> None:
    enrolment = _enrolled()
    _started(enrolment)
    operator = _operator(enrolment.batch.course.provider)
    done = completion.completion_record(
        actor=operator, enrolment_id=enrolment.pk, attendance_percent=90, final_score=80
    )
    assert done.status == Enrolment.Status.COMPLETED
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.number.startswith(f"PKJ-{timezone.now().year}-")
    assert done.history.first().history_user == operator  # type: ignore[attr-defined]

    public = certificates.certificate_verify(number=certificate.number.lower())
    full_name = enrolment.participant.registration.full_name
    assert public.course == enrolment.batch.course.title
    assert full_name not in public.name_masked and "***" in public.name_masked

    pdf = certificates.certificate_pdf(certificate=certificate)
    assert pdf.startswith(b"%PDF")
    svg = certificates.certificate_qr_svg(certificate.number)
    assert svg.startswith("<svg")
    assert certificates.certificate_url(certificate.number).endswith(
        f"/sertifikat/{certificate.number}"
    )


def test_a_failing_score_records_failure_and_no_certificate() -> None:
    enrolment = _enrolled()
    _started(enrolment)
    done = completion.completion_record(
        actor=_operator(enrolment.batch.course.provider),
        enrolment_id=enrolment.pk,
        attendance_percent=70,
        final_score=40,
    )
    assert done.status == Enrolment.Status.FAILED
    assert not Certificate.objects.exists()
    with pytest.raises(ApplicationError) as refused:
        certificates.certificate_get_for_actor(
            actor=enrolment.participant.registration.user, enrolment_id=enrolment.pk
        )
    assert refused.value.code == "certificate.not_completed"
    assert refused.value.status == 409


@pytest.mark.parametrize(
    ("attendance", "score", "code"),
    [(90, None, "completion.score_invalid"), (101, 80, "completion.attendance_invalid")],
)
def test_completion_needs_valid_numbers(attendance: Any, score: Any, code: str) -> None:
    enrolment = _enrolled()
    _started(enrolment)
    with pytest.raises(ApplicationError) as refused:
        completion.completion_record(
            actor=_operator(enrolment.batch.course.provider),
            enrolment_id=enrolment.pk,
            attendance_percent=attendance,
            final_score=score,
        )
    assert refused.value.code == code
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_completion_waits_for_the_batch_to_start_and_belongs_to_its_provider() -> None:
    enrolment = _enrolled()
    operator = _operator(enrolment.batch.course.provider)
    with pytest.raises(ApplicationError) as early:
        completion.completion_record(
            actor=operator, enrolment_id=enrolment.pk, attendance_percent=90, final_score=90
        )
    assert early.value.code == "completion.batch_not_started"
    _started(enrolment)
    other = _operator(make_batch().course.provider)
    with pytest.raises(ApplicationError) as foreign:
        completion.completion_record(
            actor=other, enrolment_id=enrolment.pk, attendance_percent=90, final_score=90
        )
    assert foreign.value.status == 403
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_a_completion_file_naming_someone_not_enrolled_writes_nothing() -> None:
    first = _enrolled()
    second = _enrolled(batch=first.batch)
    _started(first)
    elsewhere = _enrolled()
    operator = _operator(first.batch.course.provider)
    content = (
        "id_pendaftaran,kehadiran,nilai\n"
        f"{first.pk},90,85\n{second.pk},80,30\n{elsewhere.pk},90,90\n"
    ).encode()
    with pytest.raises(completion.UploadRejected) as rejected:
        completion.completion_upload(actor=operator, batch_id=first.batch_id, content=content)
    assert rejected.value.rows == [
        f"Baris 4: pendaftaran {elsewhere.pk} tidak terdaftar di angkatan ini."
    ]
    assert not Enrolment.objects.exclude(status=Enrolment.Status.ENROLLED).exists()

    good = content.decode().rsplit("\n", 2)[0] + "\n"
    result = completion.completion_upload(
        actor=operator, batch_id=first.batch_id, content=good.encode()
    )
    assert (result.completed, result.failed) == (1, 1)
    provider = Provider.objects.get(pk=first.batch.course.provider_id)
    assert float(provider.completion_rate or 0) == 0.5


def test_completion_file_checks_size_and_header() -> None:
    enrolment = _enrolled()
    operator = _operator(enrolment.batch.course.provider)
    with pytest.raises(ApplicationError) as large:
        completion.completion_upload(
            actor=operator, batch_id=enrolment.batch_id, content=b"x" * 1_000_001
        )
    assert large.value.status == 413
    with pytest.raises(ApplicationError) as header:
        completion.completion_upload(
            actor=operator, batch_id=enrolment.batch_id, content=b"nama,nilai\nBudi,90\n"
        )
    assert header.value.code == "completion.upload_invalid"


def _completed() -> Enrolment:
    enrolment = _enrolled()
    _started(enrolment)
    return completion.completion_record(
        actor=_operator(enrolment.batch.course.provider),
        enrolment_id=enrolment.pk,
        attendance_percent=95,
        final_score=90,
    )


def test_a_participant_rates_once_and_the_catalogue_figures_follow() -> None:
    enrolment = _completed()
    user = enrolment.participant.registration.user
    ratings.rating_create(actor=user, enrolment_id=enrolment.pk, stars=4, comment="Bagus")
    with pytest.raises(ApplicationError) as twice:
        ratings.rating_create(actor=user, enrolment_id=enrolment.pk, stars=5)
    assert twice.value.code == "rating.twice"
    assert twice.value.status == 409
    assert Rating.objects.count() == 1
    provider = Provider.objects.get(pk=enrolment.batch.course.provider_id)
    assert (float(provider.rating_average or 0), provider.rating_count) == (4.0, 1)
    figures = selectors_stats.course_figures(course_ids=[enrolment.batch.course_id])
    assert figures[enrolment.batch.course_id].average_rating == 4.0


def test_rating_needs_a_completion_and_valid_stars() -> None:
    enrolment = _enrolled()
    user = enrolment.participant.registration.user
    with pytest.raises(ApplicationError) as early:
        ratings.rating_create(actor=user, enrolment_id=enrolment.pk, stars=5)
    assert early.value.code == "rating.not_completed"
    with pytest.raises(ApplicationError) as bad:
        ratings.rating_create(actor=user, enrolment_id=enrolment.pk, stars=6)
    assert bad.value.code == "rating.invalid"


def test_public_page_masks_the_name_and_is_rate_limited() -> None:
    cache.clear()
    enrolment = _completed()
    number = Certificate.objects.get(enrolment=enrolment).number
    client = Client()
    page = client.get(f"/sertifikat/{number}")
    assert page.status_code == 200
    body = page.content.decode()
    assert enrolment.batch.course.title in body
    assert enrolment.participant.registration.full_name not in body
    assert client.get("/sertifikat/PKJ-2026-TIDAKADA").status_code == 404
    statuses = {client.get(f"/sertifikat/{number}").status_code for _ in range(40)}
    assert 429 in statuses


def test_participant_downloads_own_certificate_and_rates_in_the_browser() -> None:
    enrolment = _completed()
    client = Client()
    client.force_login(enrolment.participant.registration.user)
    page = client.get("/pelatihan-saya/")
    assert "Unduh sertifikat" in page.content.decode()
    pdf = client.get(f"/pelatihan-saya/pendaftaran/{enrolment.pk}/sertifikat.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    rated = client.post(f"/pelatihan-saya/pendaftaran/{enrolment.pk}/nilai/", {"stars": "5"})
    assert rated.status_code == 302
    again = client.post(f"/pelatihan-saya/pendaftaran/{enrolment.pk}/nilai/", {"stars": "5"})
    assert again.status_code == 409
    stranger = Client()
    stranger.force_login(make_participant().registration.user)
    assert (
        stranger.get(f"/pelatihan-saya/pendaftaran/{enrolment.pk}/sertifikat.pdf").status_code
        == 403
    )


def test_provider_console_records_completion() -> None:
    enrolment = _enrolled()
    _started(enrolment)
    client = Client()
    sign_in_with_totp(client, _operator(enrolment.batch.course.provider))
    url = f"/penyelenggaraan/angkatan/{enrolment.batch_id}/"
    page = client.get(url)
    assert page.status_code == 200
    assert enrolment.participant.registration.full_name not in page.content.decode()
    missing = client.post(url, {"enrolment": enrolment.pk, "attendance_percent": "90"})
    assert missing.status_code == 400
    client.post(url, {"enrolment": enrolment.pk, "attendance_percent": "90", "final_score": "75"})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    intruder = Client()
    sign_in_with_totp(intruder, _operator(make_batch().course.provider))
    assert intruder.get(url).status_code == 403


def test_managers_table_per_regency_and_provider() -> None:
    enrolment = _completed()
    Participant.objects.filter(pk=make_participant().pk).update(status="revoked")
    by_regency = {r.key: r for r in selectors_stats.training_by_regency()}
    row = by_regency[str(enrolment.participant.regency_id)]
    assert (row.enrolled, row.completed, row.revoked) == (1, 1, 1)
    client = Client()
    sign_in_with_totp(client, make_user(role=Role.MANAGER))
    page = client.get("/penyelenggaraan/laporan/")
    assert page.status_code == 200
    assert enrolment.batch.course.provider.name in page.content.decode()
    csv = client.get("/penyelenggaraan/laporan/", {"format": "csv", "per": "provider"})
    assert csv.status_code == 200 and b"Kursi ditawarkan" in csv.content
    applicant = Client()
    applicant.force_login(enrolment.participant.registration.user)
    assert applicant.get("/penyelenggaraan/laporan/").status_code == 403


def test_api_completion_rating_certificate_and_report() -> None:
    import json

    from prakerja.accounts.tokens import api_token_create

    cache.clear()
    enrolment = _enrolled()
    _started(enrolment)
    operator = _operator(enrolment.batch.course.provider)
    auth = {"Authorization": f"Bearer {api_token_create(user=operator)}"}
    client = Client()
    bad = client.post(
        f"/api/v1/training/enrolments/{enrolment.pk}/completion",
        json.dumps({"attendance_percent": 90}),
        content_type="application/json",
        headers=auth,
    )
    assert bad.status_code == 422
    done = client.post(
        f"/api/v1/training/enrolments/{enrolment.pk}/completion",
        json.dumps({"attendance_percent": 90, "final_score": 70}),
        content_type="application/json",
        headers=auth,
    )
    assert done.status_code == 200, done.content
    number = done.json()["certificate"]
    assert done.json()["status"] == "completed" and number
    public = Client().get(f"/api/v1/training/certificates/{number}").json()
    assert public["course"] == enrolment.batch.course.title
    assert "***" in public["name_masked"]

    user = enrolment.participant.registration.user
    user_auth = {"Authorization": f"Bearer {api_token_create(user=user)}"}
    url = f"/api/v1/training/enrolments/{enrolment.pk}/rating"
    body = json.dumps({"stars": 4})
    first = client.post(url, body, content_type="application/json", headers=user_auth)
    second = client.post(url, body, content_type="application/json", headers=user_auth)
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json()["code"] == "rating.twice"

    manager_auth = {
        "Authorization": f"Bearer {api_token_create(user=make_user(role=Role.MANAGER))}"
    }
    rows = client.get("/api/v1/training/report?per=provider", headers=manager_auth).json()
    assert any(row["completed"] == 1 for row in rows)
    denied = client.get("/api/v1/training/report", headers=user_auth)
    assert denied.status_code == 403


def test_demo_journey_publishes_a_wave_with_a_completion(settings: Any) -> None:
    from prakerja.assistance.demo import demo_accounts_ensure
    from prakerja.assistance.services import assistance_seed_load
    from prakerja.enrolment.demo import enrolment_demo_load
    from prakerja.registry.services.programme import registry_seed_load
    from prakerja.training.demo_courses import training_demo_courses

    registry_seed_load()
    assistance_seed_load()
    demo_accounts_ensure()
    training_demo_courses()
    enrolment_demo_load()
    enrolment_demo_load()  # idempotent
    assert Participant.objects.filter(registration__user__username="pendaftar").exists()
    assert Participant.objects.count() == 20
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"completed", "failed"}
    assert Certificate.objects.count() == 1 and Rating.objects.count() == 1
