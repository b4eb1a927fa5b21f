"""Production refuses the outbox SMS backend (``check --deploy``), and the demo's way to read a
sign-in code instead of the outbox page (``manage.py demo_sms_code``)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.test import override_settings

from prakerja.notifications.services import sms_send

OUTBOX = "prakerja.notifications.backends.OutboxSmsBackend"
GATEWAY = "prakerja.notifications.backends.HttpGatewaySmsBackend"


def _deploy_check() -> None:
    call_command("check", deploy=True, tags=["security"], stdout=io.StringIO())


@override_settings(PRAKERJA_ENV="production", SMS_BACKEND=OUTBOX)
def test_check_deploy_fails_with_the_outbox_backend_in_production() -> None:
    with pytest.raises(SystemCheckError) as raised:
        _deploy_check()
    assert "prakerja.notifications.E001" in str(raised.value)
    assert "SMS_BACKEND is the outbox backend while PRAKERJA_ENV=production" in str(raised.value)


@override_settings(
    PRAKERJA_ENV="production", SMS_BACKEND=GATEWAY, SMS_GATEWAY_URL="https://sms.example.id/"
)
def test_check_deploy_accepts_the_gateway_backend_in_production() -> None:
    from prakerja.notifications.checks import sms_backend_check

    assert sms_backend_check() == []


@override_settings(PRAKERJA_ENV="production", SMS_BACKEND=GATEWAY, SMS_GATEWAY_URL="")
def test_check_deploy_fails_with_a_gateway_without_address() -> None:
    with pytest.raises(SystemCheckError, match=r"prakerja\.notifications\.E003"):
        _deploy_check()


@override_settings(PRAKERJA_ENV="demo", SMS_BACKEND=OUTBOX)
def test_the_demo_keeps_the_outbox_backend() -> None:
    from prakerja.notifications.checks import sms_backend_check

    assert sms_backend_check() == []


@pytest.mark.django_db
def test_demo_sms_code_prints_the_newest_sms_to_a_number() -> None:
    sms_send(to="+6281234567890", body="Kode masuk Prakerja Anda: 111111")
    sms_send(to="+6281234567890", body="Kode masuk Prakerja Anda: 482913")
    sms_send(to="+6289876543210", body="Kode masuk Prakerja Anda: 999999")
    out = io.StringIO()

    call_command("demo_sms_code", "0812-3456-7890", stdout=out)

    assert out.getvalue().rstrip().endswith("Kode masuk Prakerja Anda: 482913")


@pytest.mark.django_db
def test_demo_sms_code_says_when_no_sms_was_sent() -> None:
    with pytest.raises(CommandError, match=r"Belum ada SMS ke nomor ini\."):
        call_command("demo_sms_code", "081234567890")


@override_settings(PRAKERJA_ENV="production")
def test_demo_sms_code_refuses_outside_the_demo() -> None:
    with pytest.raises(CommandError, match=r"Perintah ini hanya untuk demo \(PRAKERJA_ENV=demo\)."):
        call_command("demo_sms_code", "081234567890")
