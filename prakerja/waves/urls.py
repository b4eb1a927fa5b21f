from django.urls import URLPattern

app_name = "waves"

urlpatterns: list[URLPattern] = []
