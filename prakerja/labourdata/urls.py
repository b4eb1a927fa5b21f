"""``/data-disnaker/``. Names other apps may link to: ``labourdata:index`` (upload and recent
imports), ``labourdata:batch_detail`` (progress and figures of one import, ``batch_id``),
``labourdata:batch_rejected`` (``batch_id``, ``file_type`` = xlsx|csv), ``labourdata:template``
(``kind`` = workers|jps) and ``labourdata:counts``."""

from django.urls import path

from prakerja.labourdata import views, views_sisnaker

app_name = "labourdata"

urlpatterns = [
    path("", views.index, name="index"),
    path("impor/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path(
        "impor/<int:batch_id>/ditolak.<str:file_type>",
        views.batch_rejected,
        name="batch_rejected",
    ),
    path("templat/<str:kind>.xlsx", views.template_download, name="template"),
    path("rekap/", views.counts, name="counts"),
    path("sisnaker/", views_sisnaker.sisnaker_index, name="sisnaker"),
    path("sisnaker/laporan.csv", views_sisnaker.sisnaker_report_csv, name="sisnaker_csv"),
    path(
        "sisnaker/pasangan/<int:match_id>/", views_sisnaker.sisnaker_decide, name="sisnaker_decide"
    ),
]
