"""Moving an applicant's account to a new phone number ("lost SIM"), on an officer's or a
call-centre agent's word.

It lives in registry, not in accounts: the applicant is found, and their identity checked,
through their registration, and the registration's contact number follows the account. The
account side (the number, the sign-in code, the SMS) stays in ``accounts.services``
(docs/ARCHITECTURE.md, Layers: accounts never imports a domain app).
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prakerja.accounts import messages as sms_texts
from prakerja.accounts.forms import PhoneChangeForm
from prakerja.accounts.models import PhoneChange, Role, User
from prakerja.accounts.services import (
    account_phone_normalise,
    actor_require_sign_in_aid,
    applicant_send_sign_in_code,
    phone_taken_by_staff_error,
)
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError
from prakerja.identity.names import person_name_check, person_name_normalise
from prakerja.identity.nik import nik_parse
from prakerja.identity.phones import phone_mask
from prakerja.identity.selectors import person_find_by_nik
from prakerja.notifications.services import sms_send_on_commit
from prakerja.registry.errors import RegistryErrorCode
from prakerja.registry.models import Registration
from prakerja.registry.services.registration import registration_contact_phone_replace


def _name_key(name: str) -> str:
    # "SITI  rahayu" and "Siti Rahayu" are the same name said over the phone or read off a KTP
    # (and "Ｓｉｔｉ" typed on a full-width keyboard is "Siti").
    return person_name_normalise(name).casefold()


def _identity_mismatch() -> ApplicationError:
    return ApplicationError(
        RegistryErrorCode.ACCOUNT_IDENTITY_MISMATCH,
        _(
            "NIK, nama lengkap, dan tanggal lahir tidak cocok dengan pendaftaran mana pun. "
            "Nomor HP tidak diganti. Periksa kembali KTP pendaftar."
        ),
        field="nik",
    )


def applicant_phone_change(
    *, actor: User, nik: str, full_name: str, birth_date: date, new_phone: str
) -> User:
    """Move an applicant's account to a new phone number (lost SIM, new number), on the
    word of an officer at a posko or a call-centre agent who checked the caller's identity.

    The applicant is found by NIK (their registration) and must match the stated full name
    (case and spaces aside) and birth date; every outcome is recorded in ``PhoneChange``, a
    mismatch included, and the user's history keeps the old number with the actor. On
    success the number is unverified again, the registrations' contact number follows, the
    old number is told (when it still works, its holder learns of a change they did not ask
    for) and the new number gets a one-time access code. A mismatch, an unknown NIK and a
    NIK without an applicant account get the same answer.
    """

    actor_require_sign_in_aid(actor)
    new = account_phone_normalise(new_phone)
    parsed = nik_parse(nik)
    if parsed.errors:
        raise ApplicationError(parsed.errors[0].code, parsed.errors[0].message, field="nik")
    _name, name_issue = person_name_check(full_name)
    if name_issue is not None:
        raise ApplicationError(name_issue.code, name_issue.message, field="full_name")
    with transaction.atomic():
        person = person_find_by_nik(nik=parsed.value)
        registration = (
            Registration.objects.select_related("user").filter(person=person).first()
            if person is not None
            else None
        )
        user = registration.user if registration is not None else None
        matches = (
            registration is not None
            and user is not None
            and user.role == Role.APPLICANT
            and user.is_active
            and registration.birth_date == birth_date
            and _name_key(registration.full_name) == _name_key(full_name)
        )
        if not matches or user is None:
            PhoneChange.objects.create(
                requested_by=actor,
                user=user,
                outcome=PhoneChange.Outcome.IDENTITY_MISMATCH,
                new_phone_hint=phone_mask(new),
            )
            refused = _identity_mismatch()
        else:
            old = str(user.phone) if user.phone else ""
            if old == new:
                raise ApplicationError(
                    RegistryErrorCode.ACCOUNT_PHONE_UNCHANGED,
                    _("Nomor HP baru sama dengan nomor yang terdaftar."),
                    field="new_phone",
                )
            holder = User.objects.filter(phone=new).exclude(pk=user.pk).first()
            if holder is not None:
                if holder.role != Role.APPLICANT:
                    raise phone_taken_by_staff_error()
                raise ApplicationError(
                    RegistryErrorCode.ACCOUNT_PHONE_TAKEN,
                    _(
                        "Nomor HP baru sudah dipakai akun pendaftar lain. Satu nomor HP hanya "
                        "untuk satu akun."
                    ),
                    field="new_phone",
                )
            user.phone = new  # type: ignore[assignment]
            user.phone_verified_at = None
            # Whoever holds the lost SIM must not stay signed in: a new (unusable) password
            # hash changes the session hash, so every session of the account ends on its next
            # request, and the account's API tokens stop working. Applicants sign in with an
            # SMS code to the new number, never with a password.
            user.set_unusable_password()
            audit_as(user, actor=actor, reason="nomor HP diganti (identitas dicek petugas)")
            user.save(update_fields=["phone", "phone_verified_at", "password"])
            user.api_tokens.filter(is_active=True).update(is_active=False)
            registration_contact_phone_replace(actor=actor, user=user, old=old, new=new)
            PhoneChange.objects.create(
                requested_by=actor,
                user=user,
                outcome=PhoneChange.Outcome.CHANGED,
                old_phone_hint=phone_mask(old) if old else "",
                new_phone_hint=phone_mask(new),
            )
            if old:
                sms_send_on_commit(to=old, body=sms_texts.phone_changed_old_number())
            applicant_send_sign_in_code(actor=actor, user=user)
            return user
    # Raised outside the atomic block so that the refused attempt stays recorded.
    raise refused


def phone_change_page(request: HttpRequest, *, back: str) -> HttpResponse:
    """The "lost SIM" form of the officer console and the call-centre console (each wraps it
    with its own role check and submission token). A successful change redirects to ``back``."""
    form = PhoneChangeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            applicant_phone_change(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(
                request,
                gettext("Nomor HP diganti. Kode akses dikirim lewat SMS ke nomor baru."),
            )
            return redirect(back)
    return render(request, "accounts/phone_change.html", {"form": form, "back_url": reverse(back)})
