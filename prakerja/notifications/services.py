from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from prakerja.identity.phones import phone_mask
from prakerja.notifications.backends import SmsBackend, SmsDeliveryError

logger = logging.getLogger(__name__)


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def sms_send(*, to: str, body: str) -> None:
    """Send one SMS through the configured backend now. ``to`` is E.164 (+62…).

    Raises ``SmsDeliveryError`` when the gateway refuses or times out.
    """
    get_sms_backend().send(to=to, body=body)


def _sms_send_logged(*, to: str, body: str) -> None:
    try:
        sms_send(to=to, body=body)
    except SmsDeliveryError as error:
        # After commit there is nobody to tell but the log: the write that asked for the SMS
        # stands, and the person can ask for a new code.
        logger.warning(
            "sms not delivered", extra={"recipient": phone_mask(to), "reason": error.reason}
        )


def sms_send_on_commit(*, to: str, body: str) -> None:
    """Send the SMS once the current transaction commits (at once outside a transaction).

    Services call this so that a rolled-back write never texts anybody, and a slow gateway
    never holds database locks.
    """
    transaction.on_commit(partial(_sms_send_logged, to=to, body=body))
