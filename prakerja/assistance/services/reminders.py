"""SMS to people with a booking: reminders the day before, cancellations on a closed day."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from prakerja.accounts.scopes import Actor
from prakerja.assistance.models import (
    Appointment,
    Holiday,
    Slot,
)
from prakerja.core.audit import audit_as
from prakerja.notifications.services import sms_send


@transaction.atomic
def holiday_bookings_cancel(*, holiday: Holiday, actor: Actor | None = None) -> int:
    """Cancel the bookings on a day declared closed after they were made (a national holiday:
    every post; a closure day: that post), give the seats back and tell each person by SMS,
    after commit, to book another day. Returns how many bookings were cancelled."""
    booked = Appointment.objects.select_for_update(of=("self",)).filter(
        date=holiday.date, status=Appointment.Status.BOOKED
    )
    if holiday.post_id is not None:
        booked = booked.filter(post_id=holiday.post_id)
    cancelled = 0
    for appointment in booked.select_related("post", "slot", "applicant", "registration"):
        appointment.status = Appointment.Status.CANCELLED
        audit_as(appointment, actor=actor, reason=f"posko tutup: {holiday.name}"[:100])
        appointment.save(update_fields=["status", "updated_at"])
        Slot.objects.filter(pk=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
        cancelled += 1
        phone = _reminder_phone(appointment)
        if phone:
            body = gettext(
                "Prakerja Jatim: janji temu Anda di %(post)s, %(date)s pukul %(time)s WIB "
                "dibatalkan karena posko tutup (%(holiday)s). Mohon pilih jadwal lain."
            ) % {
                "post": appointment.post.name,
                "date": f"{appointment.date:%d-%m-%Y}",
                "time": f"{appointment.slot.start:%H.%M}",
                "holiday": holiday.name,
            }
            transaction.on_commit(partial(sms_send, to=phone, body=body))
    return cancelled


# --- Reminders ----------------------------------------------------------------------------------


def _reminder_text(appointment: Appointment) -> str:
    post = appointment.post
    text = gettext(
        "Prakerja Jatim: pengingat janji temu di %(post)s, %(date)s pukul %(time)s WIB."
    ) % {
        "post": post.name,
        "date": f"{appointment.date:%d-%m-%Y}",
        "time": f"{appointment.slot.start:%H.%M}",
    }
    if post.address:
        # The person has a booking, so a hidden address may be sent to them (SPEC §3.3).
        text += " " + gettext("Alamat: %(address)s.") % {"address": post.address}
    return text + " " + gettext("Bila berhalangan, mohon batalkan agar kursi dipakai orang lain.")


def _reminder_phone(appointment: Appointment) -> str:
    if appointment.applicant.phone:
        return str(appointment.applicant.phone)
    if appointment.registration is not None and appointment.registration.phone:
        return str(appointment.registration.phone)
    return ""


def appointment_reminders_send_for(*, date: dt.date) -> int:
    """Send one SMS per booked appointment on ``date`` that has not had its reminder yet."""
    sent = 0
    candidates = (
        Appointment.objects.filter(
            date=date, status=Appointment.Status.BOOKED, reminder_sent_at__isnull=True
        )
        .select_related("post", "slot", "applicant", "registration")
        .order_by("pk")
    )
    for appointment in candidates.iterator(chunk_size=500):
        phone = _reminder_phone(appointment)
        if not phone:
            continue
        with transaction.atomic():
            # Claim first, send after commit: two runs of this job (a retry, a second worker)
            # both see the appointment, but only one UPDATE matches ``reminder_sent_at IS
            # NULL``, so the SMS goes out once. A crash between commit and send loses one
            # reminder rather than sending two. update() writes no history row on purpose:
            # a reminder is not a change anybody made to the booking.
            claimed = Appointment.objects.filter(
                pk=appointment.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not claimed:
                continue
            body = _reminder_text(appointment)
            transaction.on_commit(partial(sms_send, to=phone, body=body))
        sent += 1
    return sent
