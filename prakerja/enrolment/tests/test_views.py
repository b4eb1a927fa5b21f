"""The participant's pages over HTTP: Pelatihan saya, check answers, confirmation, cancel."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user
from prakerja.enrolment.models import Enrolment, Participant
from prakerja.enrolment.testing import make_batch, make_participant
from prakerja.training.models import CourseBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant() -> Participant:
    return make_participant()


@pytest.fixture
def client_of(participant: Participant) -> Client:
    client = Client()
    client.force_login(participant.registration.user)
    return client


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def _token() -> str:
    return str(uuid.uuid4())


def test_the_url_name_the_catalogue_links_to_is_the_enrol_confirm_page() -> None:
    assert reverse("enrolment:enrol_confirm", kwargs={"batch_id": 7}) == (
        "/pelatihan-saya/daftar/7/"
    )


def test_my_training_shows_the_balance_in_rupiah_the_deadline_and_the_ledger(
    client_of: Client, participant: Participant
) -> None:
    response = client_of.get(reverse("enrolment:my_training"))

    assert response.status_code == 200
    text = _text(response.content)
    assert "Rp 1.000.000" in text
    assert "Batas membeli pelatihan pertama" in text
    assert "30 hari lagi" in text or "29 hari lagi" in text
    assert "Saldo pelatihan diberikan +Rp 1.000.000" in text
    assert "Anda belum mendaftar pelatihan." in text


def test_someone_who_is_not_a_participant_is_told_how_to_become_one() -> None:
    client = Client()
    client.force_login(make_user(role=Role.APPLICANT))
    response = client.get(reverse("enrolment:my_training"))
    assert response.status_code == 200
    assert "Anda belum menjadi peserta pelatihan." in _text(response.content)


def test_the_pages_need_a_sign_in() -> None:
    response = Client().get(reverse("enrolment:my_training"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_the_confirm_page_shows_the_course_the_dates_and_the_balance_before_and_after(
    client_of: Client,
) -> None:
    batch = make_batch(price=350_000, seats=12, seats_taken=2, title="Pemasaran Digital UMKM")

    response = client_of.get(reverse("enrolment:enrol_confirm", args=[batch.pk]))

    assert response.status_code == 200
    text = _text(response.content)
    assert "Pemasaran Digital UMKM" in text
    assert "Harga Rp 350.000" in text
    assert "Saldo sekarang Rp 1.000.000" in text
    assert "Saldo setelah mendaftar Rp 650.000" in text
    assert "Kursi tersisa 10" in text
    assert Enrolment.objects.count() == 0


def test_posting_the_confirm_page_enrols_and_shows_the_confirmation(
    client_of: Client, participant: Participant
) -> None:
    batch = make_batch(price=350_000)
    token = _token()
    url = reverse("enrolment:enrol_confirm", args=[batch.pk])

    response = client_of.post(url, {"price": "350000", "submission_token": token})

    enrolment = Enrolment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("enrolment:enrol_done", args=[enrolment.pk])
    done = client_of.get(response["Location"])
    assert "Pendaftaran pelatihan berhasil" in _text(done.content)
    assert "Sisa saldo Rp 650.000" in _text(done.content)
    # The same form sent twice (a double tap) enrols once.
    again = client_of.post(url, {"price": "350000", "submission_token": token})
    assert again.status_code == 302 and Enrolment.objects.count() == 1


def test_a_refused_enrolment_says_why_with_409_and_writes_nothing(
    client_of: Client, participant: Participant
) -> None:
    full = make_batch(seats=4, seats_taken=4)

    shown = client_of.get(reverse("enrolment:enrol_confirm", args=[full.pk]))
    posted = client_of.post(
        reverse("enrolment:enrol_confirm", args=[full.pk]),
        {"price": str(full.course.price), "submission_token": _token()},
    )

    for response in (shown, posted):
        assert response.status_code == 409
        assert "Kursi angkatan ini sudah penuh (4 kursi). Pilih angkatan lain." in _text(
            response.content
        )
    assert Enrolment.objects.count() == 0
    assert CourseBatch.objects.get(pk=full.pk).seats_taken == 4


def test_an_unknown_batch_is_a_404(client_of: Client) -> None:
    response = client_of.get(reverse("enrolment:enrol_confirm", args=[987654]))
    assert response.status_code == 404
    assert "Angkatan pelatihan tidak ditemukan." in _text(response.content)


def test_cancelling_asks_with_the_amount_returned_then_gives_it_back(
    client_of: Client, participant: Participant
) -> None:
    batch = make_batch(price=400_000)
    client_of.post(
        reverse("enrolment:enrol_confirm", args=[batch.pk]),
        {"price": "400000", "submission_token": _token()},
    )
    enrolment = Enrolment.objects.get()
    page = client_of.get(reverse("enrolment:my_training"))
    assert reverse("enrolment:enrol_cancel", args=[enrolment.pk]) in page.content.decode()

    ask = client_of.get(reverse("enrolment:enrol_cancel", args=[enrolment.pk]))
    assert ask.status_code == 200
    text = _text(ask.content)
    assert "Saldo yang dikembalikan Rp 400.000" in text
    assert "Saldo setelah dibatalkan Rp 1.000.000" in text
    assert Enrolment.objects.get().status == "enrolled"

    done = client_of.post(
        reverse("enrolment:enrol_cancel", args=[enrolment.pk]),
        {"submission_token": _token()},
        follow=True,
    )
    assert "Saldo Rp 400.000 dikembalikan." in _text(done.content)
    participant.refresh_from_db()
    assert participant.balance == 1_000_000
    assert Enrolment.objects.get().status == "cancelled"


def test_another_applicant_cannot_see_or_cancel_an_enrolment(
    client_of: Client, participant: Participant
) -> None:
    batch = make_batch()
    client_of.post(
        reverse("enrolment:enrol_confirm", args=[batch.pk]),
        {"price": str(batch.course.price), "submission_token": _token()},
    )
    enrolment = Enrolment.objects.get()
    outsider = Client()
    outsider.force_login(make_participant().registration.user)

    for response in (
        outsider.get(reverse("enrolment:enrol_done", args=[enrolment.pk])),
        outsider.post(
            reverse("enrolment:enrol_cancel", args=[enrolment.pk]),
            {"submission_token": _token()},
        ),
    ):
        assert response.status_code == 404
    assert Enrolment.objects.get().status == "enrolled"


def test_the_pages_fit_a_phone_and_carry_no_inline_script(
    client_of: Client, participant: Participant
) -> None:
    batch = make_batch()
    for url in (
        reverse("enrolment:my_training"),
        reverse("enrolment:enrol_confirm", args=[batch.pk]),
    ):
        html = client_of.get(url).content.decode()
        assert 'name="viewport"' in html
        assert "<script>" not in html and "onclick=" not in html


def test_a_revoked_participant_sees_why_and_the_ledger_that_took_the_balance(
    client_of: Client, participant: Participant
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from prakerja.enrolment.services.revocation import participants_revoke_overdue

    Participant.objects.filter(pk=participant.pk).update(
        enrol_by=timezone.now() - timedelta(hours=1)
    )
    participants_revoke_overdue()

    response = client_of.get(reverse("enrolment:my_training"))

    text = _text(response.content)
    assert "Kepesertaan Anda dicabut pada " in text
    assert "Rp 0" in text
    assert "Kepesertaan dicabut: saldo ditarik −Rp 1.000.000" in text
    assert reverse("registry:status", args=[participant.registration.reference]) in (
        response.content.decode()
    )
