from django.urls import path

from prakerja.registry.urls import ReferenceConverter  # noqa: F401 - registers "reference"
from prakerja.waves import views, views_confirm

app_name = "waves"

urlpatterns = [
    path("", views.wave_list, name="wave_list"),
    path("baru/", views.wave_create, name="wave_create"),
    path("baru/jumlah-kuota/", views.quota_total, name="quota_total"),
    path("<int:wave_id>/", views.wave_detail, name="wave_detail"),
    path("<int:wave_id>/kuota/", views.wave_quotas, name="wave_quotas"),
    path("<int:wave_id>/buka/", views.wave_open, name="wave_open"),
    path("<int:wave_id>/tutup/", views.wave_close, name="wave_close"),
    path(
        "<int:wave_id>/tutup/konfirmasi/",
        views_confirm.wave_close_confirm,
        name="wave_close_confirm",
    ),
    path("<int:wave_id>/seleksi/", views.run_create, name="run_create"),
    path("seleksi/<int:run_id>/", views.run_detail, name="run_detail"),
    path("seleksi/<int:run_id>/setujui/", views.run_approve, name="run_approve"),
    path("seleksi/<int:run_id>/umumkan/", views.run_publish, name="run_publish"),
    path(
        "seleksi/<int:run_id>/setujui/konfirmasi/",
        views_confirm.run_approve_confirm,
        name="run_approve_confirm",
    ),
    path(
        "seleksi/<int:run_id>/umumkan/konfirmasi/",
        views_confirm.run_publish_confirm,
        name="run_publish_confirm",
    ),
    path("seleksi/<int:run_id>/tolak/", views_confirm.run_reject, name="run_reject"),
    path("ikut/<reference:reference>/", views.wave_join, name="wave_join"),
]
