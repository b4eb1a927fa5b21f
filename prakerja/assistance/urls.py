from django.urls import path

from prakerja.assistance import views

app_name = "assistance"

urlpatterns = [
    path("", views.post_list, name="post_list"),
    path("janji-temu/", views.my_appointments, name="my_appointments"),
    path(
        "janji-temu/<int:appointment_id>/kalender.ics",
        views.appointment_calendar,
        name="appointment_calendar",
    ),
    path(
        "janji-temu/<int:appointment_id>/batal/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path("antrian/", views.queue, name="queue"),
    path("antrian/jadwal-mendatang/", views.upcoming, name="upcoming"),
    path("antrian/panggil/", views.queue_call_next, name="queue_call_next"),
    path("antrian/tiket/", views.queue_ticket_issue, name="queue_ticket_issue"),
    path(
        "antrian/tiket/<int:ticket_id>/dilayani/",
        views.queue_ticket_action,
        {"action": "served"},
        name="queue_ticket_served",
    ),
    path(
        "antrian/tiket/<int:ticket_id>/tidak-hadir/",
        views.queue_ticket_action,
        {"action": "no_show"},
        name="queue_ticket_no_show",
    ),
    path(
        "antrian/janji/<int:appointment_id>/datang/",
        views.queue_appointment_action,
        {"action": "check_in"},
        name="queue_check_in",
    ),
    path(
        "antrian/janji/<int:appointment_id>/dilayani/",
        views.queue_appointment_action,
        {"action": "served"},
        name="queue_served",
    ),
    path(
        "antrian/janji/<int:appointment_id>/tidak-datang/",
        views.queue_appointment_action,
        {"action": "no_show"},
        name="queue_no_show",
    ),
    path("<slug:code>/jadwal/", views.booking, name="booking"),
    path("<slug:code>/jadwal/slot/", views.booking_slots, name="booking_slots"),
]
