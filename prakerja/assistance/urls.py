from django.urls import path

from prakerja.assistance import views

app_name = "assistance"

urlpatterns = [path("", views.post_list, name="post_list")]
