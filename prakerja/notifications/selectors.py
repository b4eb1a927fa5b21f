from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from prakerja.notifications.masking import codes_mask
from prakerja.notifications.models import OutboxMessage


def outbox_list(*, limit: int = 200) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.all()[:limit]


@dataclass(frozen=True)
class OutboxRow:
    created_at: datetime
    channel_label: str
    recipient: str
    subject: str
    body: str


def outbox_list_masked(*, limit: int = 200) -> list[OutboxRow]:
    """The outbox as the page shows it: codes and numbers masked (``notifications.masking``)."""
    return [
        OutboxRow(
            created_at=message.created_at,
            channel_label=str(message.get_channel_display()),
            recipient=codes_mask(message.recipient),
            subject=codes_mask(message.subject),
            body=codes_mask(message.body),
        )
        for message in outbox_list(limit=limit)
    ]


def outbox_latest_sms_to(*, phone: str) -> OutboxMessage | None:
    """The newest SMS in the outbox to ``phone`` (E.164), for ``manage.py demo_sms_code``."""
    return (
        OutboxMessage.objects.filter(channel=OutboxMessage.Channel.SMS, recipient=phone)
        .order_by("-created_at", "-id")
        .first()
    )
