from django.urls import path

from prakerja.reports import views, views_dashboard

app_name = "reports"

urlpatterns = [
    path("harian/", views.daily, name="daily"),
    path("harian/unduh.csv", views.daily_csv, name="daily_csv"),
    path("dasbor/", views_dashboard.dashboard, name="dashboard"),
    path("dasbor/unduh.csv", views_dashboard.dashboard_csv, name="dashboard_csv"),
    path("dasbor/unduh.xlsx", views_dashboard.dashboard_xlsx, name="dashboard_xlsx"),
]
