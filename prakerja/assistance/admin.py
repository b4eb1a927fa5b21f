from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from prakerja.assistance.models import CallCentreLine, Post


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
