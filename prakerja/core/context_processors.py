from __future__ import annotations

from django.http import HttpRequest

from prakerja.accounts.models import STAFF_ROLES

# Also on the 500 and 503 pages, which are rendered without context processors.
CALL_CENTRE_NUMBERS = ("031-8293097", "031-8280254")


def site(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "is_staff_user": bool(
            user is not None
            and user.is_authenticated
            and getattr(user, "role", None) in STAFF_ROLES
        ),
        "call_centre_numbers": CALL_CENTRE_NUMBERS,
    }
