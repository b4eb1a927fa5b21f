"""``/lembaga/``: the operator's institution and the Disnaker verification of providers."""

from django.urls import path

from prakerja.training.views import providers

app_name = "providers"

urlpatterns = [
    path("", providers.my_provider, name="mine"),
    path("verifikasi/", providers.verification_queue, name="queue"),
    path("verifikasi/<int:provider_id>/", providers.provider_review, name="review"),
    path("dokumen/<int:document_id>/", providers.document_download, name="document"),
]
