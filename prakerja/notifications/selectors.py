from __future__ import annotations

from django.db.models import QuerySet

from prakerja.notifications.models import OutboxMessage


def outbox_list(*, limit: int = 200) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.all()[:limit]
