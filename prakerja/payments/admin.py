"""Admin (superadmin only): the incentive schedule, the surveys and the payment settings are
data, editable here and audited. Accounts, instalments, batches and the ledger change only
through the services (four eyes, the ledger), so they are not in the admin."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from prakerja.payments.models import IncentiveRule, PaymentSettings, Survey


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("programme", "name_match_threshold", "change_block_hours")


@admin.register(IncentiveRule)
class IncentiveRuleAdmin(SimpleHistoryAdmin):
    list_display = ("label", "programme", "kind", "amount", "count", "interval_days", "survey")
    list_filter = ("programme", "kind")


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("title", "programme", "number", "opens_after_days")
