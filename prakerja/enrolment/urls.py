from django.urls import path

from prakerja.enrolment import views, views_completion

app_name = "enrolment"

urlpatterns = [
    path("", views.my_training, name="my_training"),
    # The catalogue's course page links here (URL name ``enrolment:enrol_confirm``).
    path("daftar/<int:batch_id>/", views.enrol_confirm, name="enrol_confirm"),
    path("pendaftaran/<int:enrolment_id>/", views.enrol_done, name="enrol_done"),
    path("pendaftaran/<int:enrolment_id>/batal/", views.enrol_cancel, name="enrol_cancel"),
    path(
        "pendaftaran/<int:enrolment_id>/sertifikat.pdf",
        views_completion.certificate_download,
        name="certificate_download",
    ),
    path("pendaftaran/<int:enrolment_id>/nilai/", views_completion.rating_form, name="rating"),
]
