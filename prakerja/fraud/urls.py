from django.urls import path

from prakerja.fraud import views

app_name = "fraud"

urlpatterns = [
    path("", views.signal_list, name="list"),
    path("<int:signal_id>/", views.signal_detail, name="detail"),
]
