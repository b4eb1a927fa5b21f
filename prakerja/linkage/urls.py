from django.urls import path

from prakerja.linkage import views

app_name = "linkage"

urlpatterns = [
    path("", views.index, name="index"),
    path("tinjau/", views.review_queue, name="review_queue"),
    path("tautan/<int:link_id>/", views.link_detail, name="link_detail"),
    path("daerah-kemnaker/", views.regional_ministry, name="regional_ministry"),
    path("penjangkauan/", views.outreach, name="outreach"),
    path("penjangkauan/undang/", views.outreach_invite, name="outreach_invite"),
    path("jps/", views.jps_cases, name="jps_cases"),
    path("jps/pemantauan/", views.jps_monitoring, name="jps_monitoring"),
    path("jps/<int:case_id>/", views.jps_case, name="jps_case"),
]
