"""The public certificate check (mounted at /sertifikat/)."""

from django.urls import path

from prakerja.enrolment import views_completion as views

app_name = "certificates"

urlpatterns = [
    path("<str:number>", views.certificate_verify, name="verify"),
]
