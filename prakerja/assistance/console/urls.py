from django.urls import path

from prakerja.assistance.console import views

app_name = "console"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cari/", views.search, name="search"),
    path("daftarkan/", views.register, name="register"),
    path("layanan/", views.visit_record, name="visit_record"),
    path("ganti-nomor/", views.phone_change, name="phone_change"),
    path("pendaftaran/<str:reference>/", views.registration_detail, name="registration"),
    path("pendaftaran/<str:reference>/serah-terima/", views.handover, name="handover"),
]
