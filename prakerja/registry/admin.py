"""Admin (superadmin only, see accounts.ADMIN_ROLES). Registrations are read-only here: every
change goes through the services so it is validated and audited; the NIK shows masked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from prakerja.registry.models import (
    ConsentText,
    EligibilityRule,
    Programme,
    Registration,
    TestQuestion,
)


class EligibilityRuleInline(admin.TabularInline):
    model = EligibilityRule
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "is_active")
    inlines = [EligibilityRuleInline]


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(SimpleHistoryAdmin):
    list_display = ("programme", "kind", "parameter", "is_active")
    list_filter = ("programme", "kind", "is_active")


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ("version", "published_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A published text is what people agreed to: a change is a new version, not an edit.
        return ("version", "consent_body", "truthfulness_body") if obj else ()


@admin.register(TestQuestion)
class TestQuestionAdmin(SimpleHistoryAdmin):
    list_display = ("text", "kind", "order", "is_active")
    list_filter = ("programme", "kind", "is_active")


@admin.register(Registration)
class RegistrationAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "full_name", "nik", "status", "channel", "submitted_at")
    list_filter = ("status", "channel")
    search_fields = ("reference",)
    list_select_related = ("person",)
    fields = (
        "reference",
        "programme",
        "status",
        "nik",
        "full_name",
        "birth_place",
        "birth_date",
        "gender",
        "domicile_regency",
        "domicile_district",
        "employment_status",
        "migrant_reason",
        "occupation",
        "not_in_education",
        "has_disability",
        "nik_warnings",
        "ineligibility_reasons",
        "test_score",
        "channel",
        "assisted_post",
        "assisted_by",
        "consent_text",
        "consent_at",
        "truthfulness_at",
        "created_at",
        "submitted_at",
    )
    readonly_fields = fields

    @admin.display(description=_("NIK"))
    def nik(self, obj: Registration) -> str:
        return obj.person.nik_masked if obj.person else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
