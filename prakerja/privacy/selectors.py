"""Reads for the applicant's rights over their personal data (UU PDP 27/2022).

``personal_data_collect`` gathers what the platform holds about one applicant into a
``PersonalDataDocument``: sections of records, each record a list of (key, label, value). The
JSON and the PDF are two renderings of that one document, so they cannot drift apart.

Only the applicant's own account reaches these reads (``registration_get_own``): not an
officer of their post, not a call-centre agent. Staff members' names never appear: a record
says which role and which post or office acted, as the access log page does.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role, User
from prakerja.assistance.models import Appointment, AssistanceVisit
from prakerja.callcenter.models import CallLog, Ticket, TicketNote
from prakerja.core.errors import NotFound
from prakerja.identity.models import PersonalDataAccess
from prakerja.labourdata.models import JpsRecipient, WorkerReport
from prakerja.linkage.models import Link
from prakerja.notifications.models import OutboxMessage
from prakerja.privacy.errors import PrivacyError
from prakerja.registry.models import Registration
from prakerja.registry.references import reference_normalise
from prakerja.waves.models import SelectionResult, WaveEntry


def _not_found() -> NotFound:
    return NotFound(PrivacyError.REGISTRATION_NOT_FOUND, _("Pendaftaran tidak ditemukan."))


def registration_get_own(*, actor: Any, reference: str) -> Registration:
    """The registration with this reference if it is the actor's own; ``NotFound`` otherwise.

    Deliberately narrower than ``registration_get_for_actor``: the full NIK and everything
    else about a person go to that person's account only, and another account gets the same
    404 as an unknown reference (no hint that the reference exists).
    """
    normalised = reference_normalise(reference)
    if (
        normalised is None
        or not isinstance(actor, User)
        or not actor.is_authenticated
        or actor.role != Role.APPLICANT
    ):
        raise _not_found()
    registration = (
        Registration.objects.select_related(
            "programme",
            "person",
            "user",
            "consent_text",
            "domicile_regency",
            "domicile_district",
            "assisted_post",
        )
        .filter(reference=normalised, user=actor)
        .first()
    )
    if registration is None:
        raise _not_found()
    return registration


# --- Who looked at my data ----------------------------------------------------------------


def personal_data_accesses_of(*, registration: Registration) -> QuerySet[PersonalDataAccess]:
    """Access-log rows about this applicant: by their person (NIK lookups, found or not) or
    by their registration's reference, newest first, with what the page shows joined."""
    about = Q(reference=registration.reference)
    if registration.person_id is not None:
        about |= Q(person_id=registration.person_id)
    return (
        PersonalDataAccess.objects.filter(about)
        .select_related("actor__post", "actor__regency", "actor__provider")
        .order_by("-accessed_at", "-pk")
    )


@dataclass(frozen=True)
class AccessEntry:
    accessed_at: datetime.datetime
    role: str
    office: str
    purpose: str
    found: bool
    own: bool


def access_entry_of(access: PersonalDataAccess, *, registration: Registration) -> AccessEntry:
    """What the applicant sees of one access: role, post or office, when, why — never the
    staff member's name (SPEC §4 asks for *who accessed* in the sense of which office)."""
    actor = access.actor
    own = actor.pk == registration.user_id
    return AccessEntry(
        accessed_at=access.accessed_at,
        role=str(_("Anda sendiri")) if own else str(actor.get_role_display()),
        office="" if own else actor_office(actor),
        purpose=str(access.get_purpose_display()),
        found=access.found,
        own=own,
    )


def actor_office(actor: User) -> str:
    """The post or office a staff member acts for, as the applicant is told."""
    if actor.role == Role.OFFICER and actor.post is not None:
        return actor.post.name
    if actor.role == Role.DATA_OFFICER:
        if actor.regency is not None:
            return str(_("Disnaker %(regency)s") % {"regency": actor.regency.name})
        return str(_("Disnakertrans Provinsi Jawa Timur"))
    if actor.role == Role.CALLCENTRE:
        return str(_("Call center Disnakertrans Jawa Timur"))
    if actor.role == Role.PROVIDER and actor.provider is not None:
        return actor.provider.name
    return str(_("Disnakertrans Provinsi Jawa Timur"))


# --- Download my data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    value: Any


@dataclass
class Section:
    key: str
    title: str
    records: list[list[Item]] = field(default_factory=list)


@dataclass
class PersonalDataDocument:
    reference: str
    generated_at: datetime.datetime
    sections: list[Section]

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "generated_at": self.generated_at.isoformat(),
            **{
                section.key: [
                    {item.key: _json_value(item.value) for item in record}
                    for record in section.records
                ]
                for section in self.sections
            },
        }


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_value(element) for element in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _record(instance: models.Model, names: Sequence[str], **extra: Item) -> list[Item]:
    """Items for ``names`` of ``instance``: the field's label, the display value of a choice,
    the name of a related row (regions, posts, programmes; never a staff member)."""
    items = []
    for name in names:
        model_field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if getattr(model_field, "choices", None) and value not in (None, ""):
            value = getattr(instance, f"get_{name}_display")()
        elif isinstance(model_field, models.ForeignKey):
            value = str(value) if value is not None else None
        label = capfirst(str(getattr(model_field, "verbose_name", name)))
        items.append(Item(name, label, value))
    items.extend(extra.values())
    return items


def _section(key: str, title: Any, records: Iterable[list[Item]]) -> Section:
    return Section(key=key, title=str(title), records=list(records))


REGISTRATION_FIELDS = (
    "reference",
    "programme",
    "status",
    "full_name",
    "birth_place",
    "birth_date",
    "gender",
    "phone",
    "email",
    "domicile_regency",
    "domicile_district",
    "address",
    "employment_status",
    "migrant_reason",
    "occupation",
    "last_employer",
    "last_employment_date",
    "not_in_education",
    "has_disability",
    "disability_note",
    "channel",
    "assisted_post",
    "test_score",
    "test_completed_at",
    "reported_by_disnaker",
    "ineligibility_reasons",
    "nik_warnings",
    "created_at",
    "submitted_at",
)


def personal_data_collect(
    *, registration: Registration, now: datetime.datetime
) -> PersonalDataDocument:
    """Everything the platform holds about the owner of ``registration`` (and their NIK)."""
    user = registration.user
    person = registration.person
    registrations = list(
        Registration.objects.filter(user=user).select_related(
            "programme", "consent_text", "domicile_regency", "domicile_district", "assisted_post"
        )
    )
    registration_ids = [r.pk for r in registrations]
    phones = {str(p) for p in [user.phone, *(r.phone for r in registrations)] if p}
    emails = {e for e in [user.email, *(r.email for r in registrations)] if e}

    identity = [
        Item("nik", str(_("NIK")), person.nik if person else ""),
        Item("kk", str(_("Nomor KK")), person.kk if person else ""),
    ]
    account = _record(user, ("full_name", "phone", "phone_verified_at", "email", "date_joined"))

    consents = [
        [
            Item("reference", str(_("Nomor pendaftaran")), r.reference),
            Item("version", str(_("Versi teks persetujuan")), r.consent_text.version),
            Item("consent_at", str(_("Waktu persetujuan")), r.consent_at),
            Item("truthfulness_at", str(_("Waktu pernyataan kebenaran")), r.truthfulness_at),
        ]
        for r in registrations
        if r.consent_text is not None
    ]
    appointments = Appointment.objects.filter(
        Q(applicant=user) | Q(registration_id__in=registration_ids)
    ).select_related("post", "slot")
    visits = AssistanceVisit.objects.filter(registration_id__in=registration_ids).select_related(
        "post"
    )
    calls = CallLog.objects.filter(registration_id__in=registration_ids).select_related("line")
    tickets = Ticket.objects.filter(call__registration_id__in=registration_ids).select_related(
        "call"
    )
    ticket_notes = TicketNote.objects.filter(
        ticket__call__registration_id__in=registration_ids
    ).order_by("ticket_id", "created_at", "pk")
    reports = (
        WorkerReport.objects.filter(worker__person=person).select_related("regency")
        if person
        else WorkerReport.objects.none()
    )
    jps = JpsRecipient.objects.filter(person=person) if person else JpsRecipient.objects.none()
    links = Link.objects.filter(registration_id__in=registration_ids)
    entries = WaveEntry.objects.filter(registration_id__in=registration_ids).select_related("wave")
    # Only published selections: a dry run is not a decision about anyone yet.
    results = SelectionResult.objects.filter(
        registration_id__in=registration_ids, run__published_at__isnull=False
    ).select_related("run__wave", "regency")
    messages = OutboxMessage.objects.filter(
        Q(recipient__in=phones) | Q(recipient__in=emails)
    ).order_by("created_at", "pk")
    accesses = personal_data_accesses_of(registration=registration)

    sections = [
        _section("identity", _("Identitas"), [identity]),
        _section("account", _("Akun"), [account]),
        _section(
            "registrations",
            _("Pendaftaran"),
            (_record(r, REGISTRATION_FIELDS) for r in registrations),
        ),
        _section("consents", _("Persetujuan pemrosesan data"), consents),
        _section(
            "appointments",
            _("Janji temu di posko"),
            (
                _record(
                    a,
                    ("post", "date", "status", "channel", "created_at"),
                    time=Item("time", str(_("Jam")), a.slot.start),
                )
                for a in appointments
            ),
        ),
        _section(
            "assistance_visits",
            _("Layanan di posko"),
            (_record(v, ("post", "services", "created_at")) for v in visits),
        ),
        _section(
            "calls",
            _("Panggilan call center"),
            (_record(c, ("line", "category", "outcome", "notes", "created_at")) for c in calls),
        ),
        _section(
            "tickets",
            _("Tiket pengaduan"),
            (_record(t, ("subject", "status", "due_date", "created_at")) for t in tickets),
        ),
        _section(
            "ticket_notes",
            _("Catatan tiket pengaduan"),
            (
                _record(
                    n, ("body", "created_at"), ticket=Item("ticket", str(_("Tiket")), n.ticket_id)
                )
                for n in ticket_notes
            ),
        ),
        _section(
            "disnaker_reports",
            _("Laporan Disnaker tentang Anda"),
            (
                _record(
                    w,
                    (
                        "source",
                        "category",
                        "migrant_reason",
                        "regency",
                        "company",
                        "report_date",
                        "full_name",
                        "birth_date",
                        "phone",
                    ),
                )
                for w in reports
            ),
        ),
        _section(
            "jps",
            _("Penerimaan Jaring Pengaman Sosial (JPS)"),
            (_record(j, ("programme", "period", "amount", "full_name")) for j in jps),
        ),
        _section(
            "disnaker_links",
            _("Pencocokan dengan data Disnaker"),
            (_record(link, ("method", "status", "decided_at", "created_at")) for link in links),
        ),
        _section(
            "waves",
            _("Gelombang"),
            (
                _record(
                    e, ("status", "joined_at"), wave=Item("wave", str(_("Gelombang")), str(e.wave))
                )
                for e in entries
            ),
        ),
        _section(
            "selection_results",
            _("Hasil seleksi"),
            (
                _record(
                    s,
                    ("selected", "reason_code", "rank_in_regency", "regency"),
                    wave=Item("wave", str(_("Gelombang")), str(s.run.wave)),
                )
                for s in results
            ),
        ),
        _section(
            "messages",
            _("Pesan yang dikirim kepada Anda"),
            (
                _record(m, ("channel", "recipient", "subject", "body", "created_at"))
                for m in messages
            ),
        ),
        _section(
            "accesses",
            _("Akses ke data pribadi Anda"),
            (
                [
                    Item("accessed_at", str(_("Waktu")), entry.accessed_at),
                    Item("role", str(_("Peran")), entry.role),
                    Item("office", str(_("Posko atau kantor")), entry.office),
                    Item("purpose", str(_("Keperluan")), entry.purpose),
                ]
                for entry in (access_entry_of(a, registration=registration) for a in accesses)
            ),
        ),
    ]
    return PersonalDataDocument(
        reference=registration.reference, generated_at=now, sections=sections
    )
