from django.urls import path

from prakerja.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("tentang/", views.about, name="about"),
    path("beranda/", views.dashboard, name="dashboard"),
    path("favicon.ico", views.favicon, name="favicon"),
]
