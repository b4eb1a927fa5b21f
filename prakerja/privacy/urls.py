from django.urls import path

from prakerja.privacy import views

app_name = "privacy"

urlpatterns = [
    path("<str:reference>/unduh.json", views.download_json, name="download_json"),
    path("<str:reference>/unduh.pdf", views.download_pdf, name="download_pdf"),
    path("<str:reference>/akses/", views.access_list, name="access_list"),
]
