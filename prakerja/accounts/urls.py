"""Our additions under ``/accounts/``; allauth's own pages are included next to these in
``config/urls.py`` (``path("accounts/", include("prakerja.accounts.urls"))`` above
``include("allauth.urls")``)."""

from django.urls import path

from prakerja.accounts import views

app_name = "accounts"

urlpatterns = [
    path("kode-akses/", views.access_code_sign_in, name="access_code_sign_in"),
]
