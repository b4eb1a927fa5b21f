"""Pluggable SMS backends and the outbox email backend.

``SMS_BACKEND`` names a class with ``send(*, to, body)``. The default writes to the outbox
table, so the demo and the tests can see every message; production points it at the HTTP
gateway adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from prakerja.notifications.models import OutboxMessage


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> None: ...


class OutboxSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        OutboxMessage.objects.create(channel=OutboxMessage.Channel.SMS, recipient=to, body=body)


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
