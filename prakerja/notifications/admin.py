from django.contrib import admin

from prakerja.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "subject"]
    list_filter = ["channel"]
    readonly_fields = ["created_at", "channel", "recipient", "subject", "body"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
