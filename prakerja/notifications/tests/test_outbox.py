from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client, override_settings

from prakerja.accounts.models import Role, User
from prakerja.notifications.models import OutboxMessage
from prakerja.notifications.services import sms_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager() -> User:
    return User.objects.create_user(username="alice", password="x", role=Role.MANAGER)


@pytest.fixture
def applicant() -> User:
    return User.objects.create_user(username="charlie", password="x", role=Role.APPLICANT)


def test_an_sms_goes_to_the_outbox_by_default() -> None:
    sms_send(to="+6281234567890", body="Kode Anda 123456")
    message = OutboxMessage.objects.get()
    assert message.channel == "sms"
    assert message.recipient == "+6281234567890"
    assert message.body == "Kode Anda 123456"


@override_settings(EMAIL_BACKEND="prakerja.notifications.backends.OutboxEmailBackend")
def test_an_email_goes_to_the_outbox_by_default() -> None:
    sent = mail.send_mail("Bukti pendaftaran", "Terima kasih", None, ["budi@example.com"])
    assert sent == 1
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient, message.subject) == (
        "email",
        "budi@example.com",
        "Bukti pendaftaran",
    )


@override_settings(STAFF_TWO_FACTOR_REQUIRED=False)
def test_staff_see_the_outbox(client: Client, manager: User) -> None:
    sms_send(to="+6281234567890", body="Jadwal kunjungan Anda besok 09.00")
    client.force_login(manager)
    response = client.get("/kotak-keluar/")
    assert response.status_code == 200
    assert "Jadwal kunjungan Anda besok 09.00" in response.content.decode()


def test_an_applicant_is_refused_the_outbox(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    assert client.get("/kotak-keluar/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/kotak-keluar/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_without_two_factor_are_sent_to_set_it_up(client: Client, manager: User) -> None:
    client.force_login(manager)
    response = client.get("/kotak-keluar/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
