"""Admin (superadmin only). Weights and settings are editable here (audited); waves, quotas
and runs are read-only: their changes go through the services, which check quotas, overlaps
and the four-eyes rule. Selection results (millions of rows, composite key) are not listed:
the run pages and the API show them per regency."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from prakerja.waves.models import RegencyQuota, SelectionRun, Wave, WaveEntry, WaveSettings


class _ReadOnly(SimpleHistoryAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WaveSettings)
class WaveSettingsAdmin(SimpleHistoryAdmin):
    list_display = (
        "programme",
        "join_mode",
        "weight_reported_by_disnaker",
        "weight_laid_off",
        "weight_furloughed",
        "weight_migrant_worker",
        "weight_laid_off_pre_covid",
        "weight_disability",
        "reserved_share",
        "kk_cap",
    )


class RegencyQuotaInline(admin.TabularInline):
    model = RegencyQuota
    extra = 0
    can_delete = False
    readonly_fields = ("regency", "quota", "method")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Wave)
class WaveAdmin(_ReadOnly):
    list_display = ("programme", "number", "name", "opens_at", "closes_at", "total_quota", "status")
    list_filter = ("programme", "status")
    inlines = [RegencyQuotaInline]


@admin.register(WaveEntry)
class WaveEntryAdmin(_ReadOnly):
    list_display = ("wave", "registration", "status", "joined_at")
    list_filter = ("wave", "status")
    raw_id_fields = ("registration", "carried_from")
    show_full_result_count = False


@admin.register(SelectionRun)
class SelectionRunAdmin(_ReadOnly):
    list_display = ("pk", "wave", "status", "progress", "seed", "created_by", "approved_by")
    list_filter = ("status", "wave")
    readonly_fields = ("parameters", "input_hash", "result_hash")
