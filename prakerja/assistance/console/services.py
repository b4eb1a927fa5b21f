"""Writes of the officer console: searches that are logged, assisted registration, handover.

The console owns no tables: registrations belong to ``registry``, applicant accounts to
``accounts``, visits to ``assistance``. These services check the officer's post and call
theirs, so the pages stay thin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Capability, actor_require
from prakerja.assistance.console.selectors import (
    MaskedSummary,
    ParsedQuery,
    QueryKind,
    console_query_parse,
    console_registrations_own,
)
from prakerja.assistance.errors import AssistanceError
from prakerja.assistance.models import Post
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.core.throttle import RateLimited, distinct_hit, hit, peek
from prakerja.identity import crypto
from prakerja.identity.models import Person, PersonalDataAccess
from prakerja.identity.nik import nik_parse
from prakerja.identity.phones import phone_normalise
from prakerja.identity.selectors import person_find_by_nik
from prakerja.identity.services import personal_data_access_record
from prakerja.registry.models import Channel, Registration
from prakerja.registry.nik_guard import nik_taken_report_by_officer

CONSOLE_LOOKUP_GROUP = "console.lookup"


@dataclass
class SearchResult:
    query: ParsedQuery | None
    own: list[Registration] = field(default_factory=list)
    elsewhere: list[MaskedSummary] = field(default_factory=list)


def _query_invalid() -> ApplicationError:
    return ApplicationError(
        AssistanceError.CONSOLE_QUERY_INVALID,
        _("Masukkan NIK (16 angka), nomor HP, atau nomor pendaftaran (mis. PJ-7K3M-9Q2X)."),
        field="q",
    )


@transaction.atomic
def console_search(*, actor: User, text: str) -> SearchResult:
    """Find registrations by NIK, phone or reference.

    Within the actor's post everything matching is listed. Across posts only an *exact* NIK
    (through the blind index) or reference finds anything, gives a masked summary, and is
    logged (``PersonalDataAccess``, purpose ``cross_post_lookup``) before it is shown, a miss
    included: a run of misses is what probing for NIKs looks like. A phone number never
    searches other posts: many people share a phone, and it would make the console a
    directory of who registered.
    """
    actor_require(actor, Capability.APPLICANT_LOOKUP)
    query = console_query_parse(text)
    if query is None:
        raise _query_invalid()
    own_scope = console_registrations_own(actor=actor)
    if query.kind == QueryKind.PHONE:
        by_phone = own_scope.filter(Q(phone=query.value) | Q(user__phone=query.value))
        return SearchResult(query=query, own=list(by_phone[:50]))

    # Lookups beyond the post are capped per officer (CONSOLE_LOOKUP_RATE): each one is
    # logged, but a log read the next day does not stop someone walking through NIKs today.
    lookup_key = f"user:{actor.pk}"
    usage = peek(group=CONSOLE_LOOKUP_GROUP, key=lookup_key, rate=settings.CONSOLE_LOOKUP_RATE)
    if usage.limited:
        raise RateLimited(
            AssistanceError.CONSOLE_LOOKUP_RATE_LIMITED,
            _(
                "Terlalu banyak pencarian lintas posko dalam satu jam. Tunggu sebentar lalu "
                "coba lagi; pencarian di posko Anda sendiri dengan nomor HP tetap bisa."
            ),
            field="q",
            retry_after=usage.retry_after,
        )
    person = None
    if query.kind == QueryKind.NIK:
        person = person_find_by_nik(nik=query.value)
        matches = (
            Registration.objects.filter(person=person)
            if person is not None
            else Registration.objects.none()
        )
    else:
        matches = Registration.objects.filter(reference=query.value)
    own: list[Registration] = list(own_scope.filter(pk__in=matches.values("pk")))
    elsewhere = list(
        matches.exclude(pk__in=[r.pk for r in own]).select_related("domicile_regency", "person")
    )
    query_kind = (
        PersonalDataAccess.QueryKind.NIK
        if query.kind == QueryKind.NIK
        else PersonalDataAccess.QueryKind.REFERENCE
    )
    for registration in elsewhere:
        personal_data_access_record(
            actor=actor,
            purpose=PersonalDataAccess.Purpose.CROSS_POST_LOOKUP,
            person=registration.person,
            reference=registration.reference,
            query_kind=query_kind,
            found=True,
        )
    if not own and not elsewhere:
        personal_data_access_record(
            actor=actor,
            purpose=PersonalDataAccess.Purpose.CROSS_POST_LOOKUP,
            person=person,
            query_kind=query_kind,
            found=False,
        )
    if elsewhere or not own:
        # It reached beyond the post (a hit elsewhere or a miss): it counts.
        hit(group=CONSOLE_LOOKUP_GROUP, key=lookup_key, rate=settings.CONSOLE_LOOKUP_RATE)
    return SearchResult(query=query, own=own, elsewhere=[MaskedSummary.of(r) for r in elsewhere])


def console_post_of(actor: User) -> Post:
    """The post an officer works at; assisted work needs one (a superadmin has none)."""
    actor_require(actor, Capability.APPLICANT_REGISTER_ON_BEHALF)
    if actor.role != Role.OFFICER or actor.post is None:
        raise PermissionDenied(
            AssistanceError.CONSOLE_POST_REQUIRED,
            _("Hanya petugas yang terikat pada sebuah posko dapat mendaftarkan atas nama orang."),
        )
    return actor.post


def _nik_taken_elsewhere() -> ApplicationError:
    return ApplicationError(
        AssistanceError.REGISTRATION_NIK_TAKEN,
        _(
            "NIK ini sudah terdaftar dengan akun lain. Satu NIK hanya dapat mendaftar satu kali. "
            "Bantu pendaftar masuk kembali dengan nomor HP yang dipakai saat mendaftar, atau "
            "cari NIK ini di konsol untuk melihat nomor pendaftarannya."
        ),
        field="nik",
        status=409,
    )


PhoneOwner = Registration.PhoneOwner


def _phone_for(owner: PhoneOwner, phone: str) -> str:
    """The typed number in E.164, checked against whose it is said to be."""
    if owner == PhoneOwner.NONE:
        if phone.strip():
            raise ApplicationError(
                AssistanceError.CONSOLE_PHONE_UNEXPECTED,
                _(
                    "Anda memilih “tidak ada nomor HP”. Kosongkan nomor HP, atau pilih "
                    "“milik keluarga atau kerabat” bila nomor itu milik orang lain."
                ),
                field="phone",
            )
        return ""
    if not phone.strip():
        raise ApplicationError(
            AssistanceError.CONSOLE_PHONE_REQUIRED,
            _("Tulis nomor HP, atau pilih “tidak ada nomor HP”."),
            field="phone",
        )
    return phone_normalise(phone)


def _nik_checked(actor: User, nik: str) -> tuple[str, Person | None, Registration | None]:
    """The typed NIK (format checked), its person and that person's registration, if any.

    Each distinct NIK counts against the officer's lookup budget (``CONSOLE_LOOKUP_RATE``,
    shared with the console search) before the lookup; the same NIK again is free.
    """
    if not nik.strip():
        return "", None, None
    parsed = nik_parse(nik)
    if parsed.errors:
        raise ApplicationError(parsed.errors[0].code, parsed.errors[0].message, field="nik")
    usage = distinct_hit(
        group=CONSOLE_LOOKUP_GROUP,
        key=f"user:{actor.pk}",
        rate=settings.CONSOLE_LOOKUP_RATE,
        digest=crypto.blind_index(parsed.value, purpose="nik"),
    )
    if usage.limited:
        raise RateLimited(
            AssistanceError.CONSOLE_NIK_RATE_LIMITED,
            _(
                "Terlalu banyak NIK yang diperiksa dalam satu jam. Tunggu sebentar lalu coba "
                "lagi, atau daftarkan dengan nomor HP saja dan isi NIK di langkah identitas."
            ),
            field="nik",
            retry_after=usage.retry_after,
        )
    person = person_find_by_nik(nik=parsed.value)
    existing = Registration.objects.filter(person=person).first() if person is not None else None
    return parsed.value, person, existing


def console_registration_start(
    *, actor: User, phone: str, nik: str = "", phone_owner: str = PhoneOwner.SELF
) -> Registration:
    """Start (or continue) a registration for someone at the officer's post.

    The applicant's account is their phone number: created if new, never handed to the
    officer. The registration is recorded with channel "post", the post and the officer, and
    the visit with the service "registration". A NIK typed here is checked (format, and "one
    NIK registers once" before an account is made for nothing) and recorded on the
    registration, so the wizard's identity step shows it masked and need not ask for it again;
    that step checks it against the stated birth date and gender.

    Someone without a phone of their own (``phone_owner`` "relative" with a relative's
    number, or "none") gets an account without a phone, named by the registration's
    reference: they sign in with that reference and a printed one-time code. The NIK is then
    required, so that the same person coming back continues their registration instead of
    starting a second one.

    NIKs typed here count against the officer's lookup budget (``CONSOLE_LOOKUP_RATE``, shared
    with the console search), and a "taken" answer is logged like a cross-post lookup
    (``PersonalDataAccess``) and, from the second within the hour, as a security event.
    """
    from prakerja.accounts.services import (
        applicant_create_without_phone,
        applicant_get_or_create_by_phone,
        applicant_sign_in_name_set,
    )
    from prakerja.assistance.services import assistance_visit_record
    from prakerja.registry.services.registration import (
        registration_nik_set,
        registration_phone_owner_set,
        registration_start,
    )

    post = console_post_of(actor)
    try:
        owner = PhoneOwner(phone_owner)
    except ValueError:
        owner = PhoneOwner.SELF
    phone_e164 = _phone_for(owner, phone)
    if owner != PhoneOwner.SELF and not nik.strip():
        raise ApplicationError(
            AssistanceError.CONSOLE_NIK_REQUIRED,
            _(
                "NIK wajib diisi bila pendaftar tidak memakai nomor HP sendiri: dengan NIK, "
                "pendaftarannya dapat ditemukan lagi saat ia datang kembali."
            ),
            field="nik",
        )
    nik_value, person, existing_for_nik = _nik_checked(actor, nik)
    try:
        with transaction.atomic():
            if owner == PhoneOwner.SELF:
                user, _created = applicant_get_or_create_by_phone(phone=phone_e164, actor=actor)
            elif existing_for_nik is not None and not existing_for_nik.user.phone:
                # The same person without a phone, back again: continue their registration.
                user = existing_for_nik.user
            else:
                user = applicant_create_without_phone(actor=actor)
            if existing_for_nik is not None and existing_for_nik.user_id != user.pk:
                raise _nik_taken_elsewhere()
            registration = registration_start(
                actor=actor, user=user, channel=Channel.POST, post=post
            )
            if owner != PhoneOwner.SELF and registration.status == Registration.Status.DRAFT:
                registration = registration_phone_owner_set(
                    actor=actor, registration=registration, owner=owner, phone=phone_e164
                )
                applicant_sign_in_name_set(actor=actor, user=user, name=registration.reference)
            if nik_value and registration.status == Registration.Status.DRAFT:
                registration = registration_nik_set(
                    actor=actor, registration=registration, nik=nik_value
                )
            assistance_visit_record(
                actor=actor, post=post, registration=registration, services=["registration"]
            )
    except ApplicationError as error:
        if error.code == AssistanceError.REGISTRATION_NIK_TAKEN:
            # Outside the rolled-back block: the answer was given, so it is on record.
            personal_data_access_record(
                actor=actor,
                purpose=PersonalDataAccess.Purpose.CROSS_POST_LOOKUP,
                person=person,
                reference=existing_for_nik.reference if existing_for_nik is not None else "",
                query_kind=PersonalDataAccess.QueryKind.NIK,
                found=True,
            )
            nik_taken_report_by_officer(actor=actor)
        raise
    return registration


HandoverMethod = Literal["sms", "print"]


def console_access_handover(
    *, actor: User, registration: Registration, method: HandoverMethod
) -> str | None:
    """Give the applicant access to their account: a sign-in code by SMS to their phone, or a
    one-time code to print. Returns the printable code (shown once, never stored in plain
    text), None for SMS. The officer never sees or sets a password."""
    from prakerja.accounts import services as account_services

    post = console_post_of(actor)
    if registration.assisted_post_id != post.pk:
        raise PermissionDenied(
            AssistanceError.REGISTRATION_FORBIDDEN,
            _("Anda tidak berhak mengakses pendaftaran ini."),
        )
    user = registration.user
    if method == "sms":
        account_services.applicant_send_sign_in_code(actor=actor, user=user)
        return None
    return account_services.applicant_access_code_issue(actor=actor, user=user)


def console_visit_record(
    *, actor: User, services: list[str], registration: Registration | None = None
) -> object:
    from prakerja.assistance.services import assistance_visit_record

    post = console_post_of(actor)
    if registration is not None and registration.assisted_post_id != post.pk:
        raise PermissionDenied(
            AssistanceError.REGISTRATION_FORBIDDEN,
            _("Anda tidak berhak mengakses pendaftaran ini."),
        )
    return assistance_visit_record(
        actor=actor, post=post, registration=registration, services=services
    )
