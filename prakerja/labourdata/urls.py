from django.urls import URLPattern

app_name = "labourdata"

urlpatterns: list[URLPattern] = []
