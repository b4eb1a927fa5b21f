from django.urls import path

from prakerja.reports import views_public

app_name = "statistics"

urlpatterns = [
    path("", views_public.statistics, name="index"),
    path("data.csv", views_public.statistics_csv, name="csv"),
]
