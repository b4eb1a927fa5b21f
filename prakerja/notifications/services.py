from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from prakerja.notifications.backends import SmsBackend


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def sms_send(*, to: str, body: str) -> None:
    """Send one SMS through the configured backend. ``to`` is E.164 (+62…)."""
    get_sms_backend().send(to=to, body=body)
