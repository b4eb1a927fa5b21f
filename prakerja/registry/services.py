"""Writes of the registry: starting, filling in and submitting a registration (SPEC §3.2).

Every service is keyword-only and takes the ``actor``: the applicant themself, or an officer,
a call-centre agent or a superadmin acting on their behalf (the officer console calls these
same functions). Each runs in one transaction, writes its history row with the actor
(``audit_as``), and leaves side effects (the SMS receipt) to ``transaction.on_commit``, so a
rolled-back write never sends anything.

Validation raises ``StepInvalid`` (an ``ApplicationError`` carrying every field error, the
first one as its own code/message/field) before anything is written: bad input never leaves a
half-written record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, Capability, actor_can, actor_role
from prakerja.assistance.models import Post
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound, PermissionDenied
from prakerja.core.rowsql import update_with_history
from prakerja.core.tasks import enqueue_with_transaction
from prakerja.identity.models import Person
from prakerja.identity.names import person_name_check
from prakerja.identity.nik import Issue, kk_parse, nik_parse
from prakerja.identity.phones import phone_normalise
from prakerja.identity.selectors import person_find_by_nik
from prakerja.identity.services import person_get_or_create, person_kk_set, person_release
from prakerja.regions.models import District, Regency
from prakerja.registry import seed
from prakerja.registry.models import (
    Channel,
    ConsentText,
    EligibilityRule,
    EmploymentStatus,
    FamilyCardCount,
    Gender,
    MigrantReason,
    Occupation,
    Programme,
    Registration,
    TestAnswer,
    TestQuestion,
)
from prakerja.registry.references import reference_generate
from prakerja.registry.selectors import (
    consent_text_current,
    eligibility_rules_active,
    registration_get_for_actor,
    registration_missing_steps,
    test_questions_active,
)
from prakerja.registry.steps import Step
from prakerja.registry.tasks import registration_receipt_send

__all__ = [
    "Reason",
    "SeedResult",
    "StepInvalid",
    "eligibility_evaluate",
    "eligibility_rule_update",
    "programme_default",
    "registration_contact_phone_replace",
    "registration_get_for_actor",
    "registration_missing_steps",
    "registration_nik_set",
    "registration_start",
    "registration_submit",
    "registration_submit_by_reference",
    "registration_update_draft",
    "registry_seed_load",
]

CALL_CENTRE_NUMBERS = "031-8293097 / 031-8280254"
# Upper bound on any text a person types into one field; longer input is refused before it
# reaches a parser or the database.
MAX_TEXT_INPUT = 300
REFERENCE_ATTEMPTS = 8
# Control characters (NUL included) never belong in a name or an address; PostgreSQL refuses
# NUL in text outright, so letting one through would turn a typo into a server error.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_DMY_DATE = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})", re.ASCII)
_TRUE = {"1", "true", "on", "yes", "ya", "y"}
_FALSE = {"0", "false", "off", "no", "tidak", "t", "n"}


# --- Errors -------------------------------------------------------------------------------


class StepInvalid(ApplicationError):
    """All the errors of one step, so a form can show each next to its field; the first one
    is the error's own ``code``/``message``/``field`` (what the API's envelope carries)."""

    def __init__(self, errors: list[ApplicationError]) -> None:
        first = errors[0]
        super().__init__(first.code, first.message, field=first.field, status=first.status)
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(super().as_dict())
        data["errors"] = [error.as_dict() for error in self.errors]
        return data

    def by_field(self) -> dict[str, list[str]]:
        fields: dict[str, list[str]] = {}
        for error in self.errors:
            fields.setdefault(error.field or "__all__", []).append(str(error.message))
        return fields


class _Errors:
    def __init__(self) -> None:
        self.items: list[ApplicationError] = []

    def add(self, code: str, message: str | Promise, field: str) -> None:
        # One message per field is enough: the second is usually a consequence of the first.
        if not any(error.field == field for error in self.items):
            self.items.append(ApplicationError(code, message, field=field))

    def add_issue(self, issue: Issue, field: str) -> None:
        self.add(issue.code, issue.message, field)

    def raise_if_any(self) -> None:
        if self.items:
            raise StepInvalid(self.items)


def _not_draft() -> ApplicationError:
    return ApplicationError(
        "registration.not_draft",
        _("Pendaftaran ini sudah dikirim dan tidak dapat diubah lagi."),
        status=409,
    )


def _nik_taken() -> ApplicationError:
    return ApplicationError(
        "registration.nik_taken",
        format_lazy(
            _(
                "NIK ini sudah terdaftar dengan akun lain. Satu NIK hanya dapat mendaftar satu "
                "kali. Bila itu akun Anda, masuk kembali dengan nomor HP yang dipakai saat "
                "mendaftar (kode masuk dikirim lewat SMS), atau hubungi call center {numbers} "
                "untuk memulihkan akun."
            ),
            numbers=CALL_CENTRE_NUMBERS,
        ),
        field="nik",
        status=409,
    )


# --- Parsing what people type ---------------------------------------------------------------


def _text(
    data: Mapping[str, Any],
    name: str,
    errors: _Errors,
    *,
    max_length: int,
    required: tuple[str, str | Promise] | None = None,
) -> str:
    """A one-line text: whitespace collapsed, control characters refused, length capped."""
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add("registration.text_invalid", _("Isian harus berupa teks."), name)
        return ""
    if _CONTROL_CHARS.search(value):
        errors.add(
            "registration.text_invalid",
            _("Isian mengandung karakter yang tidak diizinkan."),
            name,
        )
        return ""
    value = " ".join(value.split())
    if len(value) > max_length:
        errors.add(
            "registration.too_long",
            format_lazy(_("Isian terlalu panjang: paling banyak {n} karakter."), n=max_length),
            name,
        )
        return ""
    if not value and required is not None:
        errors.add(required[0], required[1], name)
    return value


def _date(
    data: Mapping[str, Any],
    name: str,
    errors: _Errors,
    *,
    invalid: tuple[str, str | Promise],
    required: tuple[str, str | Promise] | None = None,
    future: tuple[str, str | Promise],
) -> date | None:
    """A date as ``YYYY-MM-DD`` (what ``<input type=date>`` sends) or ``DD-MM-YYYY``."""
    value = data.get(name)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            value = None
        elif len(text) > 10:
            value = "invalid"
        elif match := _ISO_DATE.fullmatch(text):
            value = _safe_date(int(match[1]), int(match[2]), int(match[3]))
        elif match := _DMY_DATE.fullmatch(text):
            value = _safe_date(int(match[3]), int(match[2]), int(match[1]))
        else:
            value = "invalid"
    if value is None:
        if required is not None:
            errors.add(required[0], required[1], name)
        return None
    if not isinstance(value, date) or value.year < 1900:
        errors.add(invalid[0], invalid[1], name)
        return None
    if value > timezone.localdate():
        errors.add(future[0], future[1], name)
        return None
    return value


def _safe_date(year: int, month: int, day: int) -> date | str:
    try:
        return date(year, month, day)
    except ValueError:
        return "invalid"


def _bool(
    data: Mapping[str, Any],
    name: str,
    errors: _Errors,
    *,
    required: tuple[str, str | Promise] | None = None,
) -> bool | None:
    value = data.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE:
        return True
    if isinstance(value, str) and value.strip().lower() in _FALSE:
        return False
    if value is None or value == "":
        if required is not None:
            errors.add(required[0], required[1], name)
            return None
        return False
    errors.add("registration.choice_invalid", _("Pilihan tidak dikenal."), name)
    return None


def _choice(
    data: Mapping[str, Any],
    name: str,
    errors: _Errors,
    choices: type[Any],
    *,
    required: tuple[str, str | Promise] | None = None,
) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required is not None:
            errors.add(required[0], required[1], name)
        return ""
    if not isinstance(value, str) or value not in choices.values:
        errors.add(
            "registration.choice_invalid", _("Pilihan tidak dikenal. Pilih dari daftar."), name
        )
        return ""
    return value


# --- Actors -------------------------------------------------------------------------------


def _require_editor(actor: Actor | None, registration: Registration) -> None:
    """The owner, an officer of the assisting post, the call centre or the superadmin may
    change a registration; the programme manager reads it but does not fill it in."""
    # The same scope as reading it first (NotFound/PermissionDenied with the same codes).
    registration_get_for_actor(actor=actor, reference=registration.reference)
    _require_editor_role(actor)


def _require_editor_role(actor: Actor | None) -> None:
    """The role half of ``_require_editor``, for a caller that has already checked the scope
    while fetching the registration."""
    role = actor_role(actor)
    if role == Role.APPLICANT or actor_can(actor, Capability.APPLICANT_REGISTER_ON_BEHALF):
        return
    raise PermissionDenied(
        "registration.forbidden", _("Anda tidak berhak mengubah pendaftaran ini.")
    )


# --- Seed and programme -----------------------------------------------------------------


@dataclass(frozen=True)
class SeedResult:
    programme: Programme
    rules_created: int
    questions_created: int
    consent_created: bool


@transaction.atomic
def registry_seed_load() -> SeedResult:
    """Create the East Java programme, its default rules, consent text v1 and the demo test
    questions, where missing. Idempotent: never overwrites what a manager changed."""
    programme, _created = Programme.objects.get_or_create(
        code=seed.PROGRAMME_CODE, defaults={"name": seed.PROGRAMME_NAME}
    )
    rules_created = 0
    for rule in seed.RULES:
        _rule, created = EligibilityRule.objects.get_or_create(
            programme=programme,
            kind=rule["kind"],
            defaults={"parameter": rule["parameter"], "reason": rule["reason"]},
        )
        rules_created += created
    _consent, consent_created = ConsentText.objects.get_or_create(
        version=seed.CONSENT_VERSION,
        defaults={"consent_body": seed.CONSENT_BODY, "truthfulness_body": seed.TRUTHFULNESS_BODY},
    )
    questions_created = 0
    if not TestQuestion.objects.filter(programme=programme).exists():
        for order, (kind, text, choices, correct) in enumerate(seed.QUESTIONS, start=1):
            TestQuestion.objects.create(
                programme=programme,
                kind=kind,
                text=text,
                choices=choices,
                correct_choice=correct,
                order=order,
            )
            questions_created += 1
    return SeedResult(programme, rules_created, questions_created, consent_created)


def programme_default() -> Programme:
    """The East Java programme, seeded on first use so a fresh database works at once."""
    programme = Programme.objects.filter(code=seed.PROGRAMME_CODE).first()
    if programme is None:
        programme = registry_seed_load().programme
    return programme


# --- Starting a registration --------------------------------------------------------------


@transaction.atomic
def registration_start(
    *,
    actor: Actor,
    user: User,
    channel: Channel | str = Channel.ONLINE,
    post: Post | None = None,
    programme: Programme | None = None,
) -> Registration:
    """Start ``user``'s registration as a draft, or return the one they already have.

    ``actor`` is the applicant themself (channel online) or staff acting on their behalf: an
    officer at their own post (channel post; ``post`` defaults to theirs), a call-centre agent
    (channel callcentre) or a superadmin. The applicant keeps the account; the officer is only
    recorded as ``assisted_by``. When an officer starts a registration the applicant already
    began elsewhere, a draft is taken over by the officer's post (so the officer can continue
    it); a submitted one is returned unchanged.
    """
    role = actor_role(actor)
    if role is None:
        raise PermissionDenied("registration.forbidden", _("Silakan masuk terlebih dahulu."))
    assert isinstance(actor, User)
    channel = Channel(channel)
    on_behalf = actor.pk != user.pk
    if on_behalf:
        if not actor_can(actor, Capability.APPLICANT_REGISTER_ON_BEHALF):
            raise PermissionDenied(
                "registration.forbidden",
                _("Anda tidak berhak mendaftarkan orang lain."),
            )
        if role == Role.OFFICER:
            post = post or actor.post
            if post is None or post.pk != actor.post_id:
                raise PermissionDenied(
                    "registration.post_forbidden",
                    _("Petugas hanya dapat mendaftarkan atas nama posko tempatnya bertugas."),
                )
            channel = Channel.POST
        elif role == Role.CALLCENTRE:
            channel, post = Channel.CALLCENTRE, None
    else:
        channel, post = Channel.ONLINE, None
    if user.role != Role.APPLICANT or not user.is_active:
        raise ApplicationError(
            "registration.user_not_applicant",
            _("Pendaftaran hanya dapat dibuat untuk akun pendaftar yang aktif."),
            field="user",
        )
    programme = programme or programme_default()

    existing = Registration.objects.select_for_update().filter(user=user, programme=programme)
    registration = existing.first()
    if registration is not None:
        if (
            on_behalf
            and role == Role.OFFICER
            and registration.status == Registration.Status.DRAFT
            and registration.assisted_post_id != actor.post_id
        ):
            registration.assisted_post = post
            registration.assisted_by = actor
            audit_as(registration, actor=actor, reason="dilanjutkan oleh posko")
            registration.save(update_fields=["assisted_post", "assisted_by", "updated_at"])
        return registration

    for _attempt in range(REFERENCE_ATTEMPTS):
        registration = Registration(
            reference=reference_generate(),
            programme=programme,
            user=user,
            channel=channel,
            assisted_post=post if on_behalf else None,
            assisted_by=actor if on_behalf else None,
            phone=str(user.phone) if user.phone else "",
            full_name=user.full_name if on_behalf else "",
        )
        audit_as(registration, actor=actor, reason="pendaftaran dimulai")
        try:
            # A savepoint per attempt: a reference collision (or a concurrent start by the
            # same account) must not poison the outer transaction.
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            raced = Registration.objects.filter(user=user, programme=programme).first()
            if raced is not None:
                # A double click started the same account twice; the first insert won.
                return raced
            continue
        return registration
    raise ApplicationError(
        "registration.reference_exhausted",
        _("Nomor pendaftaran tidak dapat dibuat saat ini. Silakan coba lagi."),
        status=503,
    )


def _nik_free_for(registration: Registration, *, nik: str) -> Person | None:
    """The person of ``nik`` if any; raises ``registration.nik_taken`` when another
    registration of this programme already has that NIK (one NIK registers once)."""
    existing = person_find_by_nik(nik=nik)
    if (
        existing is not None
        and Registration.objects.filter(programme_id=registration.programme_id, person=existing)
        .exclude(pk=registration.pk)
        .exists()
    ):
        raise _nik_taken()
    return existing


@transaction.atomic
def registration_nik_set(*, actor: Actor, registration: Registration, nik: str) -> Registration:
    """Record the NIK of a draft before its identity step (the officer console's "register
    someone" form takes it first): the registration is linked to the one ``Person`` of that
    NIK, created if new. The identity step then keeps it (its NIK field may stay empty) and
    checks it against the stated birth date and gender. A NIK that already has a registration
    in this programme is refused (``registration.nik_taken``).
    """
    _require_editor(actor, registration)
    if registration.status != Registration.Status.DRAFT:
        raise _not_draft()
    parsed = nik_parse(nik)
    if parsed.errors:
        raise ApplicationError(parsed.errors[0].code, parsed.errors[0].message, field="nik")
    existing = _nik_free_for(registration, nik=parsed.value)
    if existing is not None and existing.pk == registration.person_id:
        return registration
    person, _created = person_get_or_create(nik=parsed.value)
    previous_person_id = registration.person_id
    registration.person = person
    audit_as(registration, actor=actor, reason="NIK dicatat")
    registration.save(update_fields=["person", "updated_at"])
    _person_given_up(previous_person_id, kept=person.pk)
    return registration


def _person_given_up(person_id: int | None, *, kept: int | None) -> None:
    """A draft changed its NIK: the person of the old one goes unless something else holds
    it. A ``Person`` exists only for a NIK some record keeps, not for every NIK ever tried."""
    if person_id is not None and person_id != kept:
        person_release(person_id=person_id)


def registration_contact_phone_replace(*, actor: Actor, user: User, old: str, new: str) -> int:
    """After the account's phone number changed (``accounts.applicant_phone_change``), the
    contact number of ``user``'s registrations that still show the old one follows it (the
    receipt and reminders go there). Returns how many changed; each keeps a history row."""
    changed = 0
    for registration in Registration.objects.select_for_update().filter(user=user, phone=old):
        registration.phone = new
        audit_as(registration, actor=actor, reason="nomor HP diganti")
        registration.save(update_fields=["phone", "updated_at"])
        changed += 1
    return changed


# --- Filling in the steps -----------------------------------------------------------------


def _identity(
    registration: Registration, data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    # A NIK or KK left empty keeps the stored one: pages show only the masked number and
    # never have to put the plaintext into a form field (SPEC §4).
    stored = registration.person if registration.person_id else None
    nik_raw = _text(
        data,
        "nik",
        errors,
        max_length=64,
        required=None
        if stored
        else ("registration.nik_required", _("NIK wajib diisi sesuai KTP.")),
    )
    kk_raw = _text(
        data,
        "kk",
        errors,
        max_length=64,
        required=None
        if stored and registration.kk_index
        else ("registration.kk_required", _("Nomor Kartu Keluarga (KK) wajib diisi.")),
    )
    if stored is not None:
        nik_raw = nik_raw or stored.nik
        kk_raw = kk_raw or stored.kk
    full_name = _text(
        data,
        "full_name",
        errors,
        max_length=150,
        required=("registration.full_name_required", _("Nama lengkap wajib diisi sesuai KTP.")),
    )
    if full_name:
        # The one rule for names (the import and the console use it too): full-width
        # letters fold to plain ones, markup and leading formula characters are refused.
        full_name, name_issue = person_name_check(full_name)
        if name_issue is not None:
            errors.add_issue(name_issue, "full_name")
    birth_place = _text(
        data,
        "birth_place",
        errors,
        max_length=100,
        required=("registration.birth_place_required", _("Tempat lahir wajib diisi.")),
    )
    birth_date = _date(
        data,
        "birth_date",
        errors,
        invalid=(
            "registration.birth_date_invalid",
            _(
                "Tanggal lahir tidak valid. Tulis tanggal-bulan-tahun, misalnya 17-08-1990, "
                "atau pilih dari kalender."
            ),
        ),
        required=("registration.birth_date_required", _("Tanggal lahir wajib diisi.")),
        future=("registration.birth_date_future", _("Tanggal lahir tidak boleh di masa depan.")),
    )
    gender = _choice(
        data,
        "gender",
        errors,
        Gender,
        required=("registration.gender_required", _("Pilih jenis kelamin.")),
    )
    warnings: list[dict[str, str]] = []
    if nik_raw:
        parsed = nik_parse(nik_raw, stated_birth_date=birth_date, stated_gender=gender or None)
        if parsed.errors:
            errors.add_issue(parsed.errors[0], "nik")
        else:
            nik_raw = parsed.value
            # Not blocking: shown to the person and kept for review (SPEC §3.1).
            warnings = [issue.as_dict() for issue in parsed.warnings]
    if kk_raw:
        kk_result = kk_parse(kk_raw)
        if kk_result.errors:
            errors.add_issue(kk_result.errors[0], "kk")
        else:
            kk_raw = kk_result.value
    errors.raise_if_any()

    _nik_free_for(registration, nik=nik_raw)
    person, _created = person_get_or_create(nik=nik_raw, kk=kk_raw)
    # The applicant's statement is the latest word on their family card; the person's history
    # keeps the previous number if it differed.
    person = person_kk_set(person=person, kk=kk_raw)
    return {
        "person": person,
        "kk_index": person.kk_index,
        "full_name": full_name,
        "birth_place": birth_place,
        "birth_date": birth_date,
        "gender": gender,
        "nik_warnings": warnings,
    }


def _contact(
    registration: Registration, data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    phone_raw = _text(
        data,
        "phone",
        errors,
        max_length=64,
        required=("registration.phone_required", _("Nomor HP wajib diisi.")),
    )
    phone = ""
    if phone_raw:
        try:
            phone = phone_normalise(phone_raw)
        except ApplicationError as exc:
            errors.add(exc.code, exc.message, "phone")
    email = _text(data, "email", errors, max_length=254).lower()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.add(
                "registration.email_invalid",
                _("Alamat email tidak valid, misalnya nama@contoh.com. Email boleh dikosongkan."),
                "email",
            )
    errors.raise_if_any()
    fields: dict[str, Any] = {"phone": phone, "email": email}
    if email != registration.email:
        # A new address has to be confirmed again.
        fields["email_verified"] = False
    return fields


def _domicile(
    registration: Registration, data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    regency_code = _text(
        data,
        "regency",
        errors,
        max_length=4,
        required=("registration.regency_required", _("Pilih kabupaten/kota domisili.")),
    )
    district_code = _text(
        data,
        "district",
        errors,
        max_length=6,
        required=("registration.district_required", _("Pilih kecamatan domisili.")),
    )
    address = _text(
        data,
        "address",
        errors,
        max_length=300,
        required=("registration.address_required", _("Alamat domisili wajib diisi.")),
    )
    regency = Regency.objects.filter(pk=regency_code).first() if regency_code else None
    if regency_code and regency is None:
        errors.add(
            "registration.regency_unknown",
            _("Kabupaten/kota tidak dikenal. Pilih dari daftar."),
            "regency",
        )
    district = District.objects.filter(pk=district_code).first() if district_code else None
    if (
        district_code
        and regency is not None
        and (district is None or district.regency_id != regency.pk)
    ):
        errors.add(
            "registration.district_mismatch",
            _("Kecamatan yang dipilih tidak berada di kabupaten/kota tersebut. Pilih lagi."),
            "district",
        )
    errors.raise_if_any()
    return {"domicile_regency": regency, "domicile_district": district, "address": address}


def _work(registration: Registration, data: Mapping[str, Any], errors: _Errors) -> dict[str, Any]:
    status = _choice(
        data,
        "employment_status",
        errors,
        EmploymentStatus,
        required=("registration.employment_status_required", _("Pilih status pekerjaan Anda.")),
    )
    migrant_reason = _choice(data, "migrant_reason", errors, MigrantReason)
    if status == EmploymentStatus.MIGRANT_WORKER and not migrant_reason:
        errors.add(
            "registration.migrant_reason_required",
            _(
                "Untuk pekerja migran (PMI), pilih keterangannya: kontrak selesai, "
                "bermasalah, atau gagal berangkat."
            ),
            "migrant_reason",
        )
    if status != EmploymentStatus.MIGRANT_WORKER:
        # A sub-reason left selected in the form for another status means nothing.
        migrant_reason = ""
    occupation = _choice(
        data,
        "occupation",
        errors,
        Occupation,
        required=(
            "registration.occupation_required",
            _("Pilih jabatan Anda, atau pilih “Tidak termasuk jabatan di bawah ini”."),
        ),
    )
    last_employer = _text(data, "last_employer", errors, max_length=200)
    last_date = _date(
        data,
        "last_employment_date",
        errors,
        invalid=(
            "registration.date_invalid",
            _("Tanggal tidak valid. Tulis tanggal-bulan-tahun, misalnya 01-03-2020."),
        ),
        future=("registration.date_future", _("Tanggal tidak boleh di masa depan.")),
    )
    errors.raise_if_any()
    return {
        "employment_status": status,
        "migrant_reason": migrant_reason,
        "occupation": occupation,
        "last_employer": last_employer,
        "last_employment_date": last_date,
    }


def _education_disability(
    registration: Registration, data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    not_in_education = _bool(
        data,
        "not_in_education",
        errors,
        required=(
            "registration.education_required",
            _("Nyatakan apakah Anda sedang menempuh pendidikan formal atau tidak."),
        ),
    )
    has_disability = _bool(data, "has_disability", errors)
    note = _text(data, "disability_note", errors, max_length=200)
    errors.raise_if_any()
    return {
        "not_in_education": not_in_education,
        "has_disability": bool(has_disability),
        "disability_note": note if has_disability else "",
    }


def _consent(
    registration: Registration, data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    consent = _bool(data, "consent", errors)
    truthful = _bool(data, "truthfulness", errors)
    if not consent:
        errors.add(
            "registration.consent_required",
            _(
                "Anda harus menyetujui pemrosesan data pribadi (UU PDP) untuk melanjutkan "
                "pendaftaran."
            ),
            "consent",
        )
    if not truthful:
        errors.add(
            "registration.truthfulness_required",
            _("Anda harus menyatakan bahwa data yang diisi benar."),
            "truthfulness",
        )
    version = _text(data, "consent_version", errors, max_length=20)
    text: ConsentText | None
    if version:
        # The version the person was shown, so a text published meanwhile is not agreed to
        # in their name.
        text = ConsentText.objects.filter(version=version).first()
        if text is None:
            errors.add(
                "registration.consent_version_unknown",
                _("Versi teks persetujuan tidak dikenal. Muat ulang halaman."),
                "consent",
            )
    else:
        text = consent_text_current()
    errors.raise_if_any()
    if text is None:
        raise ApplicationError(
            "registration.consent_text_missing",
            _("Teks persetujuan belum tersedia. Hubungi petugas."),
            status=503,
        )
    now = timezone.now()
    return {"consent_text": text, "consent_at": now, "truthfulness_at": now}


def _test(registration: Registration, data: Mapping[str, Any], errors: _Errors) -> dict[str, Any]:
    answers = data.get("answers")
    if not isinstance(answers, Mapping) or not answers:
        errors.add(
            "registration.test_answers_required", _("Jawab soal tes terlebih dahulu."), "answers"
        )
        errors.raise_if_any()
    assert isinstance(answers, Mapping)
    questions = {q.pk: q for q in test_questions_active(programme=registration.programme)}
    chosen: dict[int, int] = {}
    for key, value in answers.items():
        try:
            question_id = int(str(key)[:12])
        except ValueError:
            question_id = -1
        question = questions.get(question_id)
        if question is None:
            errors.add(
                "registration.test_question_unknown",
                _("Soal tidak dikenal. Muat ulang halaman tes."),
                "answers",
            )
            continue
        try:
            choice = int(str(value)[:4]) if not isinstance(value, bool) else -1
        except ValueError:
            choice = -1
        if not 0 <= choice < len(question.choices):
            errors.add(
                "registration.test_choice_invalid",
                _("Pilih salah satu jawaban yang tersedia."),
                f"q_{question.pk}",
            )
            continue
        chosen[question.pk] = choice
    errors.raise_if_any()
    for question_id, choice in chosen.items():
        TestAnswer.objects.update_or_create(
            registration=registration, question_id=question_id, defaults={"choice": choice}
        )
    given = dict(
        TestAnswer.objects.filter(registration=registration, question_id__in=questions).values_list(
            "question_id", "choice"
        )
    )
    if set(given) != set(questions):
        return {"test_completed_at": None, "test_score": None}
    # The score is stored for the record and never read by eligibility or selection.
    score = sum(
        1
        for question_id, choice in given.items()
        if questions[question_id].kind == TestQuestion.Kind.ABILITY
        and questions[question_id].correct_choice == choice
    )
    return {
        "test_completed_at": registration.test_completed_at or timezone.now(),
        "test_score": score,
    }


_STEP_HANDLERS = {
    Step.IDENTITY: _identity,
    Step.CONTACT: _contact,
    Step.DOMICILE: _domicile,
    Step.WORK: _work,
    Step.EDUCATION_DISABILITY: _education_disability,
    Step.CONSENT: _consent,
    Step.TEST: _test,
}


@transaction.atomic
def registration_update_draft(
    *, actor: Actor, registration: Registration, step: Step | str, data: Mapping[str, Any]
) -> Registration:
    """Validate and save one step of a draft; returns the saved registration.

    Nothing is written unless the whole step is valid (``StepInvalid`` lists every field
    error). A NIK that already has a registration in the programme under another account
    raises ``registration.nik_taken`` with the way to recover that account.
    """
    try:
        step = Step(step)
    except ValueError:
        raise NotFound(
            "registration.step_unknown", _("Langkah pendaftaran tidak dikenal.")
        ) from None
    _require_editor(actor, registration)
    # Locked: two tabs saving steps at once must not overwrite each other's fields.
    locked = (
        Registration.objects.select_for_update().select_related("programme").get(pk=registration.pk)
    )
    if locked.status != Registration.Status.DRAFT:
        raise _not_draft()
    previous_person_id = locked.person_id
    fields = _STEP_HANDLERS[step](locked, data, _Errors())
    for name, value in fields.items():
        setattr(locked, name, value)
    audit_as(locked, actor=actor, reason=f"langkah {step.value}")
    try:
        # Savepoint: the unique (programme, person) index is the last word on "one NIK
        # registers once" when two accounts save the same NIK at the same moment.
        with transaction.atomic():
            locked.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        if step == Step.IDENTITY:
            raise _nik_taken() from None
        raise
    if step == Step.IDENTITY:
        _person_given_up(previous_person_id, kept=locked.person_id)
    return locked


# --- Eligibility and submission -----------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def _int_parameter(rule: EligibilityRule, key: str, default: int) -> int:
    value = rule.parameter.get(key) if isinstance(rule.parameter, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _reasons_except_kk_cap(
    registration: Registration, rules: Sequence[EligibilityRule], today: date
) -> list[Reason]:
    """The failed rules that depend on this registration alone (the KK cap depends on the
    other members of the family card: see ``_family_card_place``)."""
    reasons: list[Reason] = []
    for rule in rules:
        failed = False
        if rule.kind == EligibilityRule.Kind.MIN_AGE:
            years = _int_parameter(rule, "years", 18)
            failed = (
                registration.birth_date is None or _age_on(registration.birth_date, today) < years
            )
        elif rule.kind == EligibilityRule.Kind.NOT_IN_EDUCATION:
            failed = registration.not_in_education is not True
        elif rule.kind == EligibilityRule.Kind.EXCLUDED_OCCUPATION:
            excluded = (
                rule.parameter.get("occupations", []) if isinstance(rule.parameter, dict) else []
            )
            failed = registration.occupation in excluded
        if failed:
            reasons.append(Reason(f"eligibility.{rule.kind}", rule.reason))
    return reasons


def _kk_cap_rule(rules: Sequence[EligibilityRule]) -> EligibilityRule | None:
    return next((rule for rule in rules if rule.kind == EligibilityRule.Kind.KK_CAP), None)


def _kk_cap_reason(rule: EligibilityRule) -> Reason:
    return Reason(f"eligibility.{rule.kind}", rule.reason)


def _family_card_place(*, programme_id: int, kk_index: str, cap: int | None, take: bool) -> bool:
    """Whether the family card has a place left under ``cap`` (None: no cap); with ``take``,
    also take that place, race-free.

    Taking is one statement: insert the counter at 1, or on conflict increment it only while
    below the cap (``INSERT … ON CONFLICT DO UPDATE … WHERE submitted < cap RETURNING``); no
    row back means the card is full. A concurrent first insert of the same card makes us wait
    for its commit and then take the update path; the update locks that one row until our
    commit and, on PostgreSQL, re-checks the condition against the committed value, so two
    members of one KK submitting at the same moment cannot both take the last place. Members
    of other family cards never wait on each other (SQLite serialises writers anyway).
    """
    if not take:
        if cap is None:
            return True
        counters = FamilyCardCount.objects.filter(programme_id=programme_id, kk_index=kk_index)
        submitted = counters.values_list("submitted", flat=True).first() or 0
        return submitted < cap
    if cap is not None and cap < 1:
        return False
    table = FamilyCardCount._meta.db_table
    below_cap = f" WHERE {table}.submitted < %s" if cap is not None else ""
    sql = (
        f"INSERT INTO {table} (programme_id, kk_index, submitted) VALUES (%s, %s, 1) "  # noqa: S608 - the table name from the model, values as parameters
        f"ON CONFLICT (programme_id, kk_index) DO UPDATE SET submitted = {table}.submitted + 1"
        f"{below_cap} RETURNING submitted"
    )
    params: list[Any] = [programme_id, kk_index, *([cap] if cap is not None else [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def eligibility_evaluate(registration: Registration, *, on: date | None = None) -> list[Reason]:
    """The reasons this registration is not eligible under its programme's active rules
    (empty: eligible). Age is taken on ``on`` (default today: the submission date).

    Reads the test score nowhere: the test is a completeness step, never a criterion.
    A read (a preview): the KK cap is only taken, race-free, by ``registration_submit``.
    """
    today = on or timezone.localdate()
    rules = eligibility_rules_active(programme_id=registration.programme_id)
    reasons = _reasons_except_kk_cap(registration, rules, today)
    kk_rule = _kk_cap_rule(rules)
    if (
        kk_rule is not None
        and registration.kk_index
        and not _family_card_place(
            programme_id=registration.programme_id,
            kk_index=registration.kk_index,
            cap=_int_parameter(kk_rule, "max", 2),
            take=False,
        )
    ):
        reasons.append(_kk_cap_reason(kk_rule))
    return reasons


def registration_submit(*, actor: Actor, registration: Registration) -> Registration:
    """Submit a complete draft: evaluate the rules and record submitted or ineligible with
    every reason. Idempotent: an already submitted registration is returned unchanged."""
    return registration_submit_by_reference(actor=actor, reference=registration.reference)


@transaction.atomic
def registration_submit_by_reference(*, actor: Actor, reference: str) -> Registration:
    """``registration_submit`` for a caller that has only the reference (the API): the
    registration is fetched once, scope-checked and locked in the same query."""
    # The row lock makes a double click or a retried request wait here, then find the
    # registration already submitted: it is counted against its family card once.
    locked = registration_get_for_actor(actor=actor, reference=reference, for_update=True)
    _require_editor_role(actor)
    if locked.status != Registration.Status.DRAFT:
        return locked
    missing = registration_missing_steps(locked)
    if missing:
        raise ApplicationError(
            "registration.incomplete",
            format_lazy(
                _("Pendaftaran belum lengkap. Lengkapi dulu: {steps}."),
                steps=", ".join(str(step.label) for step in missing),
            ),
        )
    rules = eligibility_rules_active(programme_id=locked.programme_id)
    reasons = _reasons_except_kk_cap(locked, rules, timezone.localdate())
    kk_rule = _kk_cap_rule(rules)
    # Every submitted registration of a family card is counted, also while the cap rule is
    # off (so switching it on later finds true counts); an ineligible one takes no place but
    # still hears that the card is full. No programme-wide lock: see _family_card_place.
    if locked.kk_index and not _family_card_place(
        programme_id=locked.programme_id,
        kk_index=locked.kk_index,
        cap=_int_parameter(kk_rule, "max", 2) if kk_rule is not None else None,
        take=not reasons,
    ):
        assert kk_rule is not None
        reasons.append(_kk_cap_reason(kk_rule))
    locked.status = Registration.Status.INELIGIBLE if reasons else Registration.Status.SUBMITTED
    locked.ineligibility_reasons = [reason.as_dict() for reason in reasons]
    locked.submitted_at = timezone.now()
    audit_as(locked, actor=actor, reason="pendaftaran dikirim")
    # save(update_fields=…) + its history row, without the ORM's query building: this is the
    # statement of a registration surge (core.rowsql; Registration has no other receivers).
    update_with_history(locked, ["status", "ineligibility_reasons", "submitted_at", "updated_at"])
    if locked.phone:
        # A job: the request never waits on the SMS gateway. Enqueued in this transaction, so a
        # rolled-back submission texts nobody and a committed one always has its receipt job.
        enqueue_with_transaction(
            registration_receipt_send,
            phone=str(locked.phone),
            reference=locked.reference,
            eligible=not reasons,
        )
    return locked


# --- Rules (programme manager) ------------------------------------------------------------


@transaction.atomic
def eligibility_rule_update(
    *,
    actor: Actor,
    rule: EligibilityRule,
    parameter: Mapping[str, Any],
    reason: str,
    is_active: bool,
) -> EligibilityRule:
    """Change a rule's parameter, reason or activity. Programme manager or superadmin."""
    if actor_role(actor) not in {Role.MANAGER, Role.SUPERADMIN}:
        raise PermissionDenied(
            "registration.rule_forbidden",
            _("Hanya pengelola program yang dapat mengubah aturan kelayakan."),
        )
    errors = _Errors()
    reason_text = _text(
        {"reason": reason},
        "reason",
        errors,
        max_length=300,
        required=("registration.rule_reason_required", _("Alasan wajib diisi.")),
    )
    clean: dict[str, Any] = {}
    kind = EligibilityRule.Kind(rule.kind)
    if kind in {EligibilityRule.Kind.MIN_AGE, EligibilityRule.Kind.KK_CAP}:
        key, low, high = (
            ("years", 0, 100) if kind == EligibilityRule.Kind.MIN_AGE else ("max", 1, 50)
        )
        value = parameter.get(key)
        try:
            number = int(str(value).strip()[:4])
        except ValueError:
            number = -1
        if isinstance(value, bool) or not low <= number <= high:
            errors.add(
                "registration.rule_parameter_invalid",
                format_lazy(_("Isi angka antara {low} dan {high}."), low=low, high=high),
                key,
            )
        clean[key] = number
    elif kind == EligibilityRule.Kind.EXCLUDED_OCCUPATION:
        occupations = parameter.get("occupations") or []
        if not isinstance(occupations, list | tuple) or any(
            o not in Occupation.values or o == Occupation.NONE for o in occupations
        ):
            errors.add(
                "registration.rule_parameter_invalid",
                _("Pilihan jabatan tidak dikenal."),
                "occupations",
            )
        else:
            clean["occupations"] = [o for o in Occupation.values if o in occupations]
    errors.raise_if_any()
    rule.parameter = clean
    rule.reason = reason_text
    rule.is_active = is_active
    audit_as(rule, actor=actor, reason="aturan diubah")
    rule.save(update_fields=["parameter", "reason", "is_active"])
    return rule
