"""Deploy checks for the notification backends (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.utils.module_loading import import_string

from prakerja.notifications.backends import HttpGatewaySmsBackend, OutboxSmsBackend


@register(Tags.security, deploy=True)
def sms_backend_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    # The outbox keeps applicants' sign-in codes in a table instead of sending them: in
    # production nobody would receive a code, and the table would be the only copy of every
    # live code (issue 11).
    if settings.PRAKERJA_ENV != "production":
        return []
    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError:
        return [
            Error(
                f"SMS_BACKEND {settings.SMS_BACKEND!r} cannot be imported.",
                id="prakerja.notifications.E002",
            )
        ]
    if isinstance(backend, type) and issubclass(backend, OutboxSmsBackend):
        return [
            Error(
                "SMS_BACKEND is the outbox backend while PRAKERJA_ENV=production: sign-in "
                "codes would be stored instead of sent.",
                hint="Set SMS_BACKEND=prakerja.notifications.backends.HttpGatewaySmsBackend "
                "and SMS_GATEWAY_URL (docs/OPERATIONS.md).",
                id="prakerja.notifications.E001",
            )
        ]
    if (
        isinstance(backend, type)
        and issubclass(backend, HttpGatewaySmsBackend)
        and not settings.SMS_GATEWAY_URL
    ):
        return [
            Error(
                "SMS_BACKEND is the HTTP gateway but SMS_GATEWAY_URL is empty.",
                id="prakerja.notifications.E003",
            )
        ]
    return []
