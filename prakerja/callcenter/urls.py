from django.urls import path

from prakerja.callcenter import views

app_name = "callcenter"

urlpatterns = [
    path("", views.console, name="console"),
    path("cari/", views.search, name="search"),
    path("panggilan/", views.call_create, name="call_create"),
    path("tiket/", views.ticket_list, name="ticket_list"),
    path("tiket/<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("janji-temu/", views.appointment_book, name="appointment_book"),
    path("janji-temu/slot/", views.booking_slots, name="booking_slots"),
    path("pemulihan-akun/", views.recovery_start, name="recovery_start"),
    path("ganti-nomor/", views.phone_change, name="phone_change"),
]
