from django.urls import path

from prakerja.training.views import courses

app_name = "training"

urlpatterns = [
    path("", courses.catalogue, name="catalogue"),
    path("<int:course_id>/", courses.course_detail, name="course_detail"),
    path("lembaga/pelatihan/", courses.operator_courses, name="operator_courses"),
    path("lembaga/pelatihan/baru/", courses.course_form, name="course_create"),
    path("lembaga/pelatihan/<int:course_id>/", courses.operator_course, name="operator_course"),
    path("lembaga/pelatihan/<int:course_id>/ubah/", courses.course_form, name="course_edit"),
    path("kurasi/", courses.curation_queue, name="curation_queue"),
    path("kurasi/<int:course_id>/", courses.curation_review, name="curation_review"),
]
