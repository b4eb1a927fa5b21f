"""Writes for the identity domain: the one ``Person`` per NIK."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError
from prakerja.core.rowsql import RowLoader, insert_with_history
from prakerja.identity import crypto
from prakerja.identity.errors import IdentityError
from prakerja.identity.models import Person, PersonalDataAccess
from prakerja.identity.nik import Issue, kk_parse, nik_parse

audit_logger = logging.getLogger("prakerja.audit")


def _raise_first(errors: list[Issue], *, field: str) -> None:
    if errors:
        first = errors[0]
        raise ApplicationError(first.code, first.message, field=field)


def _kk_checked(kk: str) -> str:
    result = kk_parse(kk)
    _raise_first(result.errors, field="kk")
    return result.value


_person_row = RowLoader(Person)
PERSON_ATTEMPTS = 3


def _person_locked(nik_index: str) -> Person | None:
    """``Person.objects.select_for_update().filter(nik_index=…).first()`` as one
    hand-written statement: every new registration's identity page runs it (``core.rowsql``)."""
    sql = _person_row.select("p", "p.nik_index = %s", order="p.id ASC", limit=1, for_update=True)
    return _person_row.first(sql, [nik_index])  # type: ignore[return-value]


def person_get_or_create(*, nik: str, kk: str | None = None) -> tuple[Person, bool]:
    """The person with this NIK, created if new. Returns ``(person, created)``.

    An existing person is returned unchanged (a KK given here does not overwrite theirs; use
    ``person_kk_set``). Warnings (unknown regency, …) do not stop anything: old codes are valid.
    """
    parsed = nik_parse(nik)
    _raise_first(parsed.errors, field="nik")
    kk_value = _kk_checked(kk) if kk and kk.strip() else ""
    nik_index = crypto.blind_index(parsed.value, purpose="nik")

    person = Person(
        nik_encrypted=crypto.encrypt(parsed.value),
        nik_index=nik_index,
        kk_encrypted=crypto.encrypt(kk_value) if kk_value else "",
        kk_index=crypto.blind_index(kk_value, purpose="kk") if kk_value else "",
    )
    for _attempt in range(PERSON_ATTEMPTS):
        # The row and its history row in one statement, or nothing when the NIK's unique
        # blind index already holds a row (most NIKs typed are new: no look-up before). A row
        # another transaction is inserting or deleting is waited for, as a plain INSERT
        # would. The new row is this transaction's alone until it commits. No savepoint: the
        # conflict is not an error, so an outer transaction stays usable.
        if insert_with_history(person):
            return person, True
        # No savepoint: a failing SELECT has nothing to undo (inside a caller's transaction,
        # it marks that transaction for rollback; alone, this is a transaction of its own).
        with transaction.atomic(savepoint=False):
            # Locked until the caller's transaction ends: ``person_release`` may be deleting
            # this very row for a draft that just gave the NIK up; one of the two waits for
            # the other, so a person is never linked and deleted at the same time.
            existing = _person_locked(nik_index)
        if existing is not None:
            return existing, False
        # Deleted (``person_release``) between the insert and the look-up: insert again.
    raise ApplicationError(
        IdentityError.PERSON_BUSY,
        _("Data NIK ini sedang diubah. Silakan coba lagi sebentar lagi."),
        status=503,
    )


def person_release(*, actor: Any, person_id: int, reason: str) -> bool:
    """Delete the person ``person_id`` if nothing refers to it any more; True if deleted.

    Called when a draft registration gives a NIK up for another one. Without it every NIK
    ever typed into a draft would stay a ``Person`` for good (and trying NIKs would fill the
    table with other people's numbers). A person that anything else holds (a registration,
    a reported worker, an access-log entry: all ``PROTECT``) is kept. Its earlier history
    rows go too: they hold only this NIK and KK, which nobody keeps any more (UU PDP: no
    data without a purpose). The deletion itself stays on record: its history row (who,
    when, why) is kept with the NIK and KK blanked, and a structured ``audit.person_released``
    line (person id, actor, reason; never the NIK) is logged.
    """
    with transaction.atomic():
        # The row lock pairs with the one in ``person_get_or_create``: a draft taking this
        # NIK at the same moment either links it first (then it is protected and kept) or
        # waits and creates it anew.
        person = Person.objects.select_for_update().filter(pk=person_id).first()
        if person is None:
            return False
        try:
            with transaction.atomic():
                audit_as(person, actor=actor, reason=reason)
                person.delete()
        except ProtectedError:
            return False
        history = Person.history.filter(id=person_id)  # type: ignore[attr-defined]
        deletion = history.filter(history_type="-").order_by("-history_date").first()
        history.exclude(pk=getattr(deletion, "pk", None)).delete()
        history.update(nik_encrypted="", nik_index="", kk_encrypted="", kk_index="")
    audit_logger.info(
        "audit.person_released",
        extra={
            "event": "audit.person_released",
            "person": person_id,
            "actor": getattr(actor, "pk", None),
            "reason": reason,
        },
    )
    return True


def person_kk_set(*, person: Person, kk: str) -> Person:
    """Record (or correct) a person's family-card number; the history keeps the old one."""
    kk_value = _kk_checked(kk)
    kk_index = crypto.blind_index(kk_value, purpose="kk")
    if person.kk_index == kk_index:
        return person
    person.kk_encrypted = crypto.encrypt(kk_value)
    person.kk_index = kk_index
    person.save(update_fields=["kk_encrypted", "kk_index"])
    return person


def personal_data_access_record(
    *,
    actor: Any,
    purpose: PersonalDataAccess.Purpose,
    person: Person | None = None,
    reference: str = "",
    query_kind: PersonalDataAccess.QueryKind | str = "",
    found: bool,
    subject: str = "",
) -> PersonalDataAccess:
    """Log one look at personal data (who, whom or what, why, when): a lookup outside the
    actor's scope, or a download that hands out full NIKs (``subject`` names what).

    Call it in the same transaction as the read it documents, before the data is shown.
    """
    return PersonalDataAccess.objects.create(
        actor=actor,
        person=person,
        reference=reference[:12],
        purpose=purpose,
        query_kind=query_kind,
        found=found,
        subject=subject[:60],
    )
