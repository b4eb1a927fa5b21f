"""Admin (superadmin only): each signal rule's thresholds, as data, audited. Signals are
reviewed in the programme's own queue (``/sinyal/``), not here."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from prakerja.fraud.models import SignalRule


@admin.register(SignalRule)
class SignalRuleAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "min_count", "window_hours", "is_active")
