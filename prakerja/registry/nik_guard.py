"""The identity step tells whether a NIK is registered ("nik_taken"): keep that from being an
oracle anyone can query in bulk.

* Different NIKs tried on a registration are capped per applicant account and per address
  (``NIK_CHANGE_RATE_PER_ACCOUNT`` / ``_PER_ADDRESS``), and for staff per officer across
  every registration they edit (``NIK_CHANGE_RATE_PER_STAFF``); over the cap the step is
  refused with 429 before anything is looked up. The same NIK sent again (a birth date
  fixed) is free.
* A ``nik_taken`` answer given more than once to one account within the hour is logged as a
  security event: a structured line with the account, the actor and the address, never the
  NIK.

Used by the wizard's identity page and the API around the draft services
(``registration_update_draft_steps``, ``registration_update_draft``): both know the request,
hence the address; the services do not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.core.errors import ApplicationError
from prakerja.core.throttle import RateLimited, client_address, distinct_hit
from prakerja.identity import crypto
from prakerja.identity.nik import nik_parse
from prakerja.registry.errors import RegistryErrorCode
from prakerja.registry.models import Registration
from prakerja.registry.steps import Step

logger = logging.getLogger("prakerja.security")

NIK_CHANGE_GROUP = "registry.nik_change"
# A second "taken" answer to one account within this many seconds is reported.
NIK_TAKEN_WINDOW = 3600


def _refused(retry_after: int) -> RateLimited:
    return RateLimited(
        RegistryErrorCode.NIK_RATE_LIMITED,
        _(
            "Terlalu banyak NIK berbeda yang dicoba. Demi keamanan data, tunggu sekitar satu "
            "jam lalu coba lagi, atau minta bantuan petugas posko atau call center."
        ),
        field="nik",
        retry_after=retry_after,
    )


def _nik_digest(registration: Registration, data: Mapping[str, Any]) -> str | None:
    """The blind index of a new, well-formed NIK in ``data``; None when nothing is tried.

    A malformed NIK is refused by the service before any lookup (no oracle), and the draft's
    own NIK sent again answers nothing new.
    """
    raw = data.get("nik")
    if not isinstance(raw, str) or not raw.strip():
        return None
    parsed = nik_parse(raw)
    if parsed.errors:
        return None
    digest = crypto.blind_index(parsed.value, purpose="nik")
    person = registration.person if registration.person_id is not None else None
    if person is not None and person.nik_index == digest:
        return None
    return digest


def nik_change_throttle(
    request: HttpRequest, *, actor: Actor, registration: Registration, data: Mapping[str, Any]
) -> None:
    """Raise ``RateLimited`` when this NIK would be one too many for the account or address."""
    digest = _nik_digest(registration, data)
    if digest is None:
        return
    keys = [("account", str(registration.user_id), settings.NIK_CHANGE_RATE_PER_ACCOUNT)]
    # Officers at a post, and the call centre, share one address and register many people:
    # for them the address does not count, the officer does (NIK_CHANGE_RATE_PER_STAFF,
    # across every registration they edit), else one officer could cycle NIKs through many
    # drafts, five each.
    if actor_role(actor) == Role.APPLICANT:
        address = client_address(request)
        if address:
            keys.append(("address", address, settings.NIK_CHANGE_RATE_PER_ADDRESS))
    else:
        keys.append(("staff", str(getattr(actor, "pk", "")), settings.NIK_CHANGE_RATE_PER_STAFF))
    for kind, value, rate in keys:
        usage = distinct_hit(
            group=NIK_CHANGE_GROUP, key=f"{kind}:{value}", rate=rate, digest=digest
        )
        if usage.limited:
            logger.warning(
                "security.nik_change_rate_limited",
                extra={
                    "event": "security.nik_change_rate_limited",
                    "limit": kind,
                    "account": registration.user_id,
                    "actor": getattr(actor, "pk", None),
                    "address": client_address(request),
                },
            )
            raise _refused(usage.retry_after)


def _nik_taken_count(key: str) -> int:
    cache.add(key, 0, timeout=NIK_TAKEN_WINDOW)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=NIK_TAKEN_WINDOW)
        return 1


def nik_taken_report(request: HttpRequest, *, actor: Actor, registration: Registration) -> None:
    """Count a ``nik_taken`` answer; from the second within the hour, log a security event."""
    count = _nik_taken_count(f"security:nik-taken:{registration.user_id}")
    if count >= 2:
        logger.warning(
            "security.nik_taken_repeated",
            extra={
                "event": "security.nik_taken_repeated",
                "count": count,
                "account": registration.user_id,
                "actor": getattr(actor, "pk", None),
                "reference": registration.reference,
                "address": client_address(request),
            },
        )


def nik_taken_report_by_officer(*, actor: Actor) -> None:
    """The same, per officer, for "taken" answers of the console's register form (which has
    no registration of its own to count against)."""
    actor_pk = getattr(actor, "pk", None)
    count = _nik_taken_count(f"security:nik-taken:actor:{actor_pk}")
    if count >= 2:
        logger.warning(
            "security.nik_taken_repeated",
            extra={
                "event": "security.nik_taken_repeated",
                "count": count,
                "actor": actor_pk,
                "source": "console_register",
            },
        )


@contextmanager
def nik_guard(
    request: HttpRequest,
    *,
    actor: Actor,
    registration: Registration,
    step: Step | str,
    data: Mapping[str, Any],
) -> Iterator[None]:
    """Around a step save: throttle new NIKs first, report a ``nik_taken`` answer after."""
    if step != Step.IDENTITY:
        yield
        return
    nik_change_throttle(request, actor=actor, registration=registration, data=data)
    try:
        yield
    except ApplicationError as error:
        if error.code == RegistryErrorCode.NIK_TAKEN:
            nik_taken_report(request, actor=actor, registration=registration)
        raise
