from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from prakerja.callcenter.models import CallLog, Ticket, TicketNote


@admin.register(CallLog)
class CallLogAdmin(SimpleHistoryAdmin):
    list_display = ["created_at", "line", "category", "outcome", "agent", "registration"]
    list_filter = ["category", "outcome", "line"]
    search_fields = ["registration__reference", "agent__username", "notes"]
    list_select_related = ["line", "agent", "registration"]
    raw_id_fields = ["agent", "registration"]
    date_hierarchy = "created_at"


class TicketNoteInline(admin.TabularInline):
    model = TicketNote
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    list_display = ["id", "subject", "status", "owner", "due_date"]
    list_filter = ["status"]
    search_fields = ["subject", "call__registration__reference"]
    list_select_related = ["owner"]
    raw_id_fields = ["call", "owner"]
    inlines = [TicketNoteInline]
