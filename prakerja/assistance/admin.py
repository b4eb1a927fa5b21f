from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from prakerja.assistance.models import (
    Appointment,
    AssistanceVisit,
    CallCentreLine,
    Holiday,
    Post,
    QueueTicket,
    Slot,
)
from prakerja.assistance.services import holiday_bookings_cancel


@admin.register(Post)
class PostAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "regency", "address_public", "slot_capacity", "is_active"]
    list_filter = ["kind", "address_public", "is_active"]
    search_fields = ["name", "code", "regency__name"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]


@admin.register(CallCentreLine)
class CallCentreLineAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "is_active"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["post", "date", "start", "end", "capacity", "booked"]
    list_filter = ["date"]
    search_fields = ["post__name", "post__code"]
    list_select_related = ["post"]
    date_hierarchy = "date"
    # The booked counter is kept by the booking service's conditional UPDATEs; an edit here
    # would race with them.
    readonly_fields = ["booked"]
    raw_id_fields = ["post"]


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = ["id", "post", "date", "slot", "applicant", "channel", "status"]
    list_filter = ["status", "channel", "date"]
    search_fields = ["post__name", "applicant__username", "registration__reference"]
    list_select_related = ["post", "slot", "applicant"]
    date_hierarchy = "date"
    # Status and seats change through the services (they keep the slot counter right).
    readonly_fields = [
        "slot",
        "post",
        "date",
        "applicant",
        "registration",
        "booked_by",
        "channel",
        "status",
        "reminder_sent_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(QueueTicket)
class QueueTicketAdmin(SimpleHistoryAdmin):
    list_display = ["post", "date", "number", "name", "status"]
    list_filter = ["status", "date"]
    search_fields = ["post__name", "name"]
    list_select_related = ["post"]
    raw_id_fields = ["post", "appointment", "issued_by"]


@admin.register(AssistanceVisit)
class AssistanceVisitAdmin(SimpleHistoryAdmin):
    list_display = ["post", "officer", "registration", "services", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["post__name", "registration__reference"]
    list_select_related = ["post", "officer", "registration"]
    raw_id_fields = ["post", "officer", "registration"]


@admin.register(Holiday)
class HolidayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "name", "post"]
    list_filter = ["post"]
    search_fields = ["name", "post__name"]
    date_hierarchy = "date"
    raw_id_fields = ["post"]

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Bookings made before the day was declared closed are cancelled and their people
        # told by SMS (assistance.services.holiday_bookings_cancel).
        cancelled = holiday_bookings_cancel(holiday=obj, actor=request.user)
        if cancelled:
            self.message_user(
                request,
                _(
                    "%(count)d janji temu pada hari itu dibatalkan; pendaftarnya diberi tahu "
                    "lewat SMS."
                )
                % {"count": cancelled},
                messages.WARNING,
            )
