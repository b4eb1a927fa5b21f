"""Who did it, for django-simple-history, when a write does not come from a web request.

Inside a request ``HistoryRequestMiddleware`` already records the signed-in user. Services
called from commands, jobs or the API pass their ``actor`` through this helper so every history
row names a person (or none, for the system itself), in the same transaction as the write.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model


def audit_as(instance: Model, *, actor: Any | None, reason: str | None = None) -> Model:
    instance._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]
    return instance
