from __future__ import annotations

from django.urls import path, register_converter

from prakerja.registry import views, views_check, views_nik
from prakerja.registry.references import URL_PATTERN
from prakerja.registry.steps import Step


class ReferenceConverter:
    regex = URL_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class StepConverter:
    regex = "|".join(step.value for step in Step)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")
register_converter(StepConverter, "step")

app_name = "registry"

urlpatterns = [
    path("", views.entry, name="entry"),
    path("cek-nik/", views_nik.entry_nik_check, name="entry_nik_check"),
    path("aturan/", views.rule_list, name="rule_list"),
    path("aturan/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("wilayah/kabupaten/", views.regency_options, name="regency_options"),
    path("wilayah/kecamatan/", views.district_options, name="district_options"),
    path("<reference:reference>/", views.status_page, name="status"),
    path("<reference:reference>/periksa/", views_check.check_answers, name="check_answers"),
    path("<reference:reference>/kirim/", views.submit, name="submit"),
    path("<reference:reference>/terkirim/", views_check.confirmation, name="confirmation"),
    path("<reference:reference>/bukti/", views.receipt, name="receipt"),
    path("<reference:reference>/bukti.pdf", views.receipt_pdf, name="receipt_pdf"),
    path(
        "<reference:reference>/identity/cek-nik/",
        views_nik.identity_nik_check,
        name="identity_nik_check",
    ),
    path("<reference:reference>/<step:step>/", views.step_page, name="step"),
]
