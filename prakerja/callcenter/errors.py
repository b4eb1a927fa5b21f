"""Error codes of the callcenter app."""

from __future__ import annotations

from enum import StrEnum


class CallCentreError(StrEnum):
    """The stable error codes the callcenter app raises (the API contract): each member is the
    code string itself."""

    CALL_CATEGORY_INVALID = "call.category_invalid"
    CALL_COMPLAINT_NOTES_REQUIRED = "call.complaint_notes_required"
    CALL_FORBIDDEN = "call.forbidden"
    CALL_LINE_INACTIVE = "call.line_inactive"
    CALL_NOTES_INVALID = "call.notes_invalid"
    CALL_NOTES_TOO_LONG = "call.notes_too_long"
    CALL_OUTCOME_INVALID = "call.outcome_invalid"
    TICKET_CLOSED = "ticket.closed"
    TICKET_DUE_DATE_PAST = "ticket.due_date_past"
    TICKET_NOTE_INVALID = "ticket.note_invalid"
    TICKET_NOTHING_CHANGED = "ticket.nothing_changed"
    TICKET_NOT_FOUND = "ticket.not_found"
    TICKET_OWNER_INVALID = "ticket.owner_invalid"
    TICKET_STATUS_INVALID = "ticket.status_invalid"
    SEARCH_INVALID = "call.search_invalid"
    SEARCH_RATE_LIMITED = "call.search_rate_limited"
