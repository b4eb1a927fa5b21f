"""Error codes of the assistance app."""

from __future__ import annotations

from enum import StrEnum


class AssistanceError(StrEnum):
    """The stable error codes the assistance app raises (the API contract): each member is the
    code string itself."""

    APPOINTMENT_ALREADY_BOOKED = "appointment.already_booked"
    APPOINTMENT_APPLICANT_INVALID = "appointment.applicant_invalid"
    APPOINTMENT_CHANNEL_INVALID = "appointment.channel_invalid"
    APPOINTMENT_FORBIDDEN = "appointment.forbidden"
    APPOINTMENT_HOLIDAY = "appointment.holiday"
    APPOINTMENT_NOT_CANCELLABLE = "appointment.not_cancellable"
    APPOINTMENT_NOT_FOUND = "appointment.not_found"
    APPOINTMENT_NOT_TODAY = "appointment.not_today"
    APPOINTMENT_POST_INACTIVE = "appointment.post_inactive"
    APPOINTMENT_REGISTRATION_MISMATCH = "appointment.registration_mismatch"
    APPOINTMENT_SLOT_FULL = "appointment.slot_full"
    APPOINTMENT_SLOT_PAST = "appointment.slot_past"
    APPOINTMENT_STATUS_INVALID = "appointment.status_invalid"
    ASSISTANCE_REGIONS_MISSING = "assistance.regions_missing"
    ASSISTANCE_VISIT_SERVICES_REQUIRED = "assistance_visit.services_required"
    ASSISTANCE_VISIT_SERVICE_INVALID = "assistance_visit.service_invalid"
    CONSOLE_FORBIDDEN = "console.forbidden"
    CONSOLE_LOOKUP_RATE_LIMITED = "console.lookup_rate_limited"
    CONSOLE_NIK_RATE_LIMITED = "console.nik_rate_limited"
    CONSOLE_POST_REQUIRED = "console.post_required"
    CONSOLE_QUERY_INVALID = "console.query_invalid"
    DEMO_ACCOUNT_CONFLICT = "demo.account_conflict"
    DEMO_NOT_DEMO_ENV = "demo.not_demo_env"
    DEMO_POST_MISSING = "demo.post_missing"
    POST_FORBIDDEN = "post.forbidden"
    POST_NOT_FOUND = "post.not_found"
    QUEUE_APPOINTMENT_OTHER_POST = "queue.appointment_other_post"
    QUEUE_NAME_INVALID = "queue.name_invalid"
    QUEUE_NOT_FOUND = "queue.not_found"
    QUEUE_STATUS_INVALID = "queue.status_invalid"
    REGISTRATION_FORBIDDEN = "registration.forbidden"
    REGISTRATION_NIK_TAKEN = "registration.nik_taken"
    SLOT_DATE_INVALID = "slot.date_invalid"
    SLOT_DATE_PAST = "slot.date_past"
    SLOT_DATE_TOO_FAR = "slot.date_too_far"
    SLOT_NOT_FOUND = "slot.not_found"
