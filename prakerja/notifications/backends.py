"""Pluggable SMS backends and the outbox email backend.

``SMS_BACKEND`` names a class with ``send(*, to, body)``. The default writes to the outbox
table, so the demo and the tests can see every message; production points it at the HTTP
gateway adapter (``HttpGatewaySmsBackend``).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.utils import timezone

from prakerja.core.rowsql import insert_rows
from prakerja.identity.phones import phone_mask
from prakerja.notifications.models import OutboxMessage

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> None: ...


class SmsDeliveryError(Exception):
    """The gateway did not accept the message. ``reason`` is stable: ``http_<status>``,
    ``timeout`` or ``unreachable``. Never carries the phone number or the text, which may
    hold a sign-in code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_OUTBOX_FIELDS = ("channel", "recipient", "subject", "body", "created_at")


class OutboxSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        # ``OutboxMessage.objects.create(…)`` as one hand-written statement (``core.rowsql``):
        # every sign-in code of a registration surge is written here.
        insert_rows(
            OutboxMessage,
            _OUTBOX_FIELDS,
            [(OutboxMessage.Channel.SMS.value, to, "", body, timezone.now())],
        )


class HttpGatewaySmsBackend:
    """POSTs ``{"to": "+62…", "message": "…"}`` as JSON to ``SMS_GATEWAY_URL`` with
    ``Authorization: Bearer SMS_GATEWAY_TOKEN``.

    Any 2xx is a success; anything else, a timeout or a refused connection raises
    ``SmsDeliveryError``. The timeout is short on purpose: a sign-in code is sent inside the
    applicant's request, and a slow gateway must not hold a worker for the default 60 s
    during a registration surge.
    """

    def __init__(
        self, *, url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.timeout = timeout if timeout is not None else settings.SMS_GATEWAY_TIMEOUT
        if not self.url:
            raise ImproperlyConfigured("SMS_GATEWAY_URL must be set to use HttpGatewaySmsBackend")

    def send(self, *, to: str, body: str) -> None:
        request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, not users
            self.url,
            data=json.dumps({"to": to, "message": body}).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        recipient = phone_mask(to)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except TimeoutError:
            logger.warning("sms gateway timed out", extra={"recipient": recipient})
            raise SmsDeliveryError("timeout") from None
        except urllib.error.URLError as error:
            reason = "timeout" if isinstance(error.reason, TimeoutError) else "unreachable"
            logger.warning("sms gateway %s", reason, extra={"recipient": recipient})
            raise SmsDeliveryError(reason) from None
        if not 200 <= status < 300:
            logger.warning(
                "sms gateway refused the message", extra={"recipient": recipient, "status": status}
            )
            raise SmsDeliveryError(f"http_{status}")
        logger.info("sms sent", extra={"recipient": recipient})


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        rows = [
            OutboxMessage(
                channel=OutboxMessage.Channel.EMAIL,
                recipient=", ".join(message.to),
                subject=str(message.subject)[:200],
                body=str(message.body),
            )
            for message in email_messages
        ]
        OutboxMessage.objects.bulk_create(rows)
        return len(rows)
