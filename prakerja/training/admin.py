from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from prakerja.training.models import Provider


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "regency", "sisnaker_number", "yearly_capacity"]
    list_filter = ["kind"]
    search_fields = ["name", "sisnaker_number"]
    autocomplete_fields = ["regency"]
