from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client, override_settings

from prakerja.accounts import messages as sms_texts
from prakerja.accounts.models import Role, User
from prakerja.accounts.services import access_code_format
from prakerja.accounts.testing import make_user
from prakerja.notifications.models import OutboxMessage
from prakerja.notifications.services import sms_send

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize(
    "role",
    [role for role in Role if role not in {Role.APPLICANT, Role.SUPERADMIN}],
)
def test_every_staff_role_but_the_superadmin_is_refused_the_outbox(
    client: Client, role: Role
) -> None:
    sms_send(to="+6281234567890", body="Kode masuk Prakerja Anda: 482913")
    client.force_login(make_user(role=role))
    response = client.get("/kotak-keluar/")
    assert response.status_code == 403
    assert "482913" not in response.content.decode()


def test_the_superadmin_sees_codes_and_numbers_masked_but_the_last_three_digits(
    client: Client, superadmin: User
) -> None:
    sms_send(to="+6281234567890", body="Kode masuk Prakerja Anda: 482913")
    client.force_login(superadmin)
    response = client.get("/kotak-keluar/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Kode masuk Prakerja Anda: ***913" in page
    assert "+**********890" in page
    assert "482913" not in page
    assert "6281234567890" not in page
    assert "manage.py demo_sms_code" in page


def test_only_the_superadmin_is_offered_the_outbox_link(
    client: Client, superadmin: User, manager: User
) -> None:
    client.force_login(manager)
    assert "/kotak-keluar/" not in client.get("/beranda/").content.decode()
    client.force_login(superadmin)
    assert "/kotak-keluar/" in client.get("/beranda/").content.decode()


def test_an_applicant_is_refused_the_outbox(client: Client, applicant: User) -> None:
    client.force_login(applicant)
    assert client.get("/kotak-keluar/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/kotak-keluar/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_without_two_factor_are_sent_to_set_it_up(client: Client) -> None:
    client.force_login(make_user(role=Role.SUPERADMIN, totp=False))
    response = client.get("/kotak-keluar/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("code", ["ACDE7KMN", "ACDEKMNP", "3479ACDE"])
def test_the_superadmin_never_sees_an_access_code_whole_letters_included(
    client: Client, superadmin: User, code: str
) -> None:
    sms_send(to="+6281234567890", body=sms_texts.access_code(access_code_format(code)))
    sms_send(to="+6281234567891", body=sms_texts.sign_in_code("482913"))
    client.force_login(superadmin)
    page = client.get("/kotak-keluar/").content.decode()

    formatted = access_code_format(code)
    assert formatted not in page
    assert code[:4] not in page
    assert f"Kode akses Prakerja Jatim: ****-*{code[-3:]}. Berlaku 24 jam, sekali pakai." in page
    assert "Kode masuk Prakerja Jatim: ***913. Berlaku 10 menit." in page
    assert "482913" not in page
    # Ordinary words stay readable.
    assert "JANGAN berikan kepada siapa pun." in page
    assert "Kode akses, kode masuk, dan nomor disamarkan kecuali tiga karakter terakhir." in page
