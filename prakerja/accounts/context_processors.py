from __future__ import annotations

from django.http import HttpRequest

from prakerja.accounts.models import STAFF_ROLES


# Here, not in core's ``site``: the roles are accounts' to define, and core sits below it.
def staff(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "is_staff_user": bool(
            user is not None
            and user.is_authenticated
            and getattr(user, "role", None) in STAFF_ROLES
        ),
    }
