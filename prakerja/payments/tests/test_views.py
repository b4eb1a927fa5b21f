"""The payment pages through HTTP with real sign-ins: the participant registers an account and
answers a survey; two treasury officers build, approve, download and reconcile a batch."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user, sign_in_with_totp
from prakerja.enrolment.testing import make_participant
from prakerja.payments.models import Instalment, PaymentAccount, PaymentBatch, PaymentLine, Survey
from prakerja.payments.services import schedule
from prakerja.payments.testing import completed_participants, result_csv, treasury_officer

pytestmark = pytest.mark.django_db


def _applicant(participant: Any) -> Client:
    client = Client()
    client.force_login(participant.registration.user)
    return client


def _staff(user: Any) -> Client:
    client = Client()
    sign_in_with_totp(client, user)
    return client


def test_the_participant_registers_an_account_and_sees_the_instalments() -> None:
    (participant,) = completed_participants(1)
    client = _applicant(participant)
    page = client.get("/pembayaran-saya/").content.decode()
    assert 'id="account-register"' in page

    bad = client.post(
        "/pembayaran-saya/rekening/",
        {"channel": "bank", "provider_bank": "002", "number": "12", "holder_name": "Siti Aminah"},
    )
    assert bad.status_code == 422
    assert 'id="error-summary"' in bad.content.decode()
    assert '<option value="002" selected>' in bad.content.decode()  # nothing typed is lost
    assert not PaymentAccount.objects.exists()

    saved = client.post(
        "/pembayaran-saya/rekening/",
        {
            "channel": "bank",
            "provider_bank": "014",
            "number": "0123456789",
            "holder_name": participant.registration.full_name,
        },
    )
    assert saved.status_code == 302
    schedule.instalments_make_due()
    page = client.get("/pembayaran-saya/").content.decode()
    assert "BCA …6789" in page
    assert page.count('data-status="due"') == 1 and page.count('data-status="scheduled"') == 3
    assert "Rp 600.000" in page


def test_a_survey_is_answered_on_the_phone() -> None:
    (participant,) = completed_participants(1)
    schedule.payment_settings_get(programme_id=participant.wave.programme_id)
    survey = Survey.objects.get(programme_id=participant.wave.programme_id, number=1)
    client = _applicant(participant)
    assert (
        f"/pembayaran-saya/survei/{survey.pk}/" in client.get("/pembayaran-saya/").content.decode()
    )
    missing = client.post(f"/pembayaran-saya/survei/{survey.pk}/", {})
    assert missing.status_code == 422
    answers = {q["key"]: q["choices"][1] for q in survey.questions}
    assert client.post(f"/pembayaran-saya/survei/{survey.pk}/", answers).status_code == 302
    assert "sudah diisi" in client.get("/pembayaran-saya/").content.decode()


def test_someone_who_is_not_a_participant_is_told_so() -> None:
    client = Client()
    client.force_login(make_user(role=Role.APPLICANT))
    response = client.get("/pembayaran-saya/")
    assert response.status_code == 200
    assert "peserta pelatihan yang aktif" in response.content.decode()
    assert client.get("/pembayaran-saya/rekening/").status_code == 403
    client.force_login(make_user(role=Role.VIEWER))
    assert client.get("/pembayaran-saya/").status_code == 403


def test_two_officers_build_approve_download_and_reconcile() -> None:
    participants = completed_participants(2)
    for k, participant in enumerate(participants):
        _applicant(participant).post(
            "/pembayaran-saya/rekening/",
            {
                "channel": "bank",
                "provider_bank": "002",
                "number": f"55500000{k}",
                "holder_name": participant.registration.full_name,
            },
        )
    schedule.instalments_make_due()
    first, second = _staff(treasury_officer()), _staff(treasury_officer())
    page = first.get("/pembayaran/").content.decode()
    assert 'data-lines="2"' in page

    built = first.post("/pembayaran/batch/baru/", {"regency": "", "channel": ""})
    batch = PaymentBatch.objects.get()
    assert built["Location"] == f"/pembayaran/batch/{batch.pk}/"
    own = first.get(built["Location"]).content.decode()
    assert 'id="approve"' not in own and "petugas perbendaharaan lain" in own
    assert first.get(f"/pembayaran/batch/{batch.pk}/berkas-bank.csv").status_code == 409
    confirm = second.get(built["Location"]).content.decode()
    assert "Ya, setujui 2 transfer (Rp 1.200.000)" in confirm
    assert second.post(built["Location"]).status_code == 302

    download = first.get(f"/pembayaran/batch/{batch.pk}/berkas-bank.csv")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{batch.code}-bank.csv"'
    assert download.content == first.get(f"/pembayaran/batch/{batch.pk}/berkas-bank.csv").content

    one, two = PaymentLine.objects.order_by("id")
    content = result_csv(
        [
            (batch.code, one.pk, one.amount, "paid", ""),
            (batch.code, two.pk, two.amount, "failed", "Nomor rekening salah"),
            (batch.code, two.pk + 99, 1, "paid", ""),
        ]
    )
    upload = first.post(
        "/pembayaran/hasil-bank/", {"file": SimpleUploadedFile("hasil.csv", content)}
    )
    body = upload.content.decode()
    assert upload.status_code == 200
    assert "Diterapkan: 1 berhasil, 1 gagal, 0 dikembalikan." in body
    assert 'id="problems"' in body
    again = first.post("/pembayaran/hasil-bank/", {"file": SimpleUploadedFile("h.csv", content)})
    assert again.status_code == 409
    assert Instalment.objects.filter(status="paid").count() == 1

    failed = PaymentAccount.objects.get(participant_id=two.participant_id).participant
    page = _applicant(failed).get("/pembayaran-saya/").content.decode()
    assert "Transfer terakhir gagal: Nomor rekening salah." in page
    report = first.get("/pembayaran/laporan/").content.decode()
    assert 'id="ledger-ok"' in report


def test_other_roles_cannot_open_the_treasury_pages() -> None:
    make_participant()
    for role in (Role.MANAGER, Role.DATA_OFFICER, Role.OFFICER):
        client = _staff(make_user(role=role))
        assert client.get("/pembayaran/").status_code == 403
        assert client.post("/pembayaran/batch/baru/").status_code == 403
    viewer = _staff(make_user(role=Role.VIEWER))
    assert viewer.get("/pembayaran/laporan/").status_code == 200
