from django.urls import path

from prakerja.identity import views

app_name = "identity"

urlpatterns = [
    path("cek-nik/", views.nik_check_page, name="nik_check_page"),
    path("cek-nik/hasil/", views.nik_check_fragment, name="nik_check_fragment"),
]
