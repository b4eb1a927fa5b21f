from django.urls import path

from prakerja.payments import views, views_treasury

app_name = "payments"

urlpatterns = [
    path("pembayaran-saya/", views.my_payments, name="my_payments"),
    path("pembayaran-saya/rekening/", views.account_form, name="account"),
    path("pembayaran-saya/survei/<int:survey_id>/", views.survey_form, name="survey"),
    path("pembayaran/", views_treasury.dashboard, name="treasury"),
    path("pembayaran/batch/baru/", views_treasury.batch_build, name="batch_build"),
    path("pembayaran/batch/<int:batch_id>/", views_treasury.batch_detail, name="batch"),
    path(
        "pembayaran/batch/<int:batch_id>/berkas-<str:layout>.csv",
        views_treasury.batch_file,
        name="batch_file",
    ),
    path("pembayaran/hasil-bank/", views_treasury.result_upload, name="result_upload"),
    path("pembayaran/rekening/", views_treasury.account_reviews, name="account_reviews"),
    path("pembayaran/laporan/", views_treasury.report, name="report"),
]
