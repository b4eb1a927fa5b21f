from django.urls import path

from prakerja.reports import views

app_name = "reports"

urlpatterns = [
    path("harian/", views.daily, name="daily"),
    path("harian/unduh.csv", views.daily_csv, name="daily_csv"),
]
