from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from prakerja.accounts.models import STAFF_ROLES, Role
from prakerja.accounts.scopes import Capability, actor_can

View = Callable[..., HttpResponse]


def role_required(*roles: Role) -> Callable[[View], View]:
    """Signed in, and holding one of ``roles`` (a superadmin passes every check)."""

    allowed = set(roles) | {Role.SUPERADMIN}

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "role", None) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = role_required(*STAFF_ROLES)


def capability_required(capability: Capability) -> Callable[[View], View]:
    """Signed in, and holding a role that has ``capability`` (see ``scopes.ROLE_CAPABILITIES``)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not actor_can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
