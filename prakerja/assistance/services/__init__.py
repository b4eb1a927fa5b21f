"""The assistance app's writes, one module per sub-domain; imported from here as before."""

from __future__ import annotations

from prakerja.assistance.services.appointments import (
    BOOKING_WINDOW_DAYS,
    appointment_book,
    appointment_cancel,
    booking_date_check,
    post_is_open_on,
    slots_generate,
)
from prakerja.assistance.services.queue import (
    WALK_IN_NAME_MAX_LENGTH,
    appointment_check_in,
    appointment_mark_no_show,
    appointment_mark_served,
    assistance_visit_record,
    queue_call_next,
    queue_ticket_issue,
    queue_ticket_mark_no_show,
    queue_ticket_mark_served,
)
from prakerja.assistance.services.reminders import (
    appointment_reminders_send_for,
    holiday_bookings_cancel,
)
from prakerja.assistance.services.seeding import (
    SeedResult,
    assistance_seed_load,
    holidays_seed_load,
)

__all__ = [
    "BOOKING_WINDOW_DAYS",
    "WALK_IN_NAME_MAX_LENGTH",
    "SeedResult",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_mark_no_show",
    "appointment_mark_served",
    "appointment_reminders_send_for",
    "assistance_seed_load",
    "assistance_visit_record",
    "booking_date_check",
    "holiday_bookings_cancel",
    "holidays_seed_load",
    "post_is_open_on",
    "queue_call_next",
    "queue_ticket_issue",
    "queue_ticket_mark_no_show",
    "queue_ticket_mark_served",
    "slots_generate",
]
