"""The provider's batch pages and the managers' training table (mounted at /penyelenggaraan/)."""

from django.urls import path

from prakerja.enrolment import views_completion as views

app_name = "training_console"

urlpatterns = [
    path("angkatan/<int:batch_id>/", views.batch_participants, name="batch_participants"),
    path("laporan/", views.training_report, name="training_report"),
]
