"""Writes of the course catalogue: an operator of a verified provider writes courses and their
batches; a Disnaker officer curates (publishes, or sends back with a reason).

Curation rule: a course is written as a draft, submitted, then published or sent back. Changing
the content (title, field, mode, place, hours, price, language, description) of a published
course sends it back to curation (status ``submitted``): what applicants see has always been
read by a curator. Batches (dates, seats) of a published course may change without curation.
Every change writes a history row with the acting user; the operator is told of a decision by
SMS after commit (the provider's contact number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import (
    Actor,
    Capability,
    actor_require,
    actor_role,
    scope_denied,
)
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.core.money import rupiah
from prakerja.notifications.services import sms_send_on_commit
from prakerja.training.errors_courses import CourseError
from prakerja.training.models import Course, CourseBatch, Provider, TrainingField
from prakerja.training.scopes import provider_get_for_actor, verifier_check

CONTENT_FIELDS = (
    "title",
    "field",
    "mode",
    "regency_id",
    "place",
    "hours",
    "price",
    "language",
    "description",
)
MAX_PRICE = 100_000_000


@dataclass(frozen=True)
class CourseInput:
    title: str
    field: str
    mode: str
    hours: int
    price: int
    description: str
    language: str = Course.Language.INDONESIAN
    place: str = ""
    regency_id: str | None = None


def _invalid(message: str, field: str) -> ApplicationError:
    return ApplicationError(CourseError.INVALID, message, field=field, status=400)


def _clean(data: CourseInput, provider: Provider) -> dict[str, Any]:
    title = data.title.strip()
    if not 5 <= len(title) <= 200:
        raise _invalid(_("Judul pelatihan harus 5 sampai 200 huruf."), "title")
    if data.field not in TrainingField.values:
        raise _invalid(_("Pilih bidang pelatihan dari daftar."), "field")
    if data.mode not in Course.Mode.values:
        raise _invalid(_("Pilih cara belajar: daring, luring, atau campuran."), "mode")
    if data.language not in Course.Language.values:
        raise _invalid(_("Pilih bahasa pengantar dari daftar."), "language")
    if not 1 <= data.hours <= 2000:
        raise _invalid(_("Jumlah jam pelatihan harus 1 sampai 2.000."), "hours")
    if not 0 <= data.price <= MAX_PRICE:
        raise _invalid(_("Harga harus antara Rp 0 dan Rp 100.000.000."), "price")
    place = data.place.strip()
    if data.mode != Course.Mode.ONLINE and not place:
        raise _invalid(
            _("Pelatihan luring atau campuran perlu tempat: tulis alamat tempat belajar."),
            "place",
        )
    description = data.description.strip()
    if not 20 <= len(description) <= 4000:
        raise _invalid(_("Deskripsi harus 20 sampai 4.000 huruf."), "description")
    return {
        "title": title,
        "field": data.field,
        "mode": data.mode,
        "hours": data.hours,
        "price": data.price,
        "language": data.language,
        "place": place if data.mode != Course.Mode.ONLINE else "",
        "regency_id": data.regency_id or provider.regency_id,
        "description": description,
    }


def _operator_provider(actor: Actor | None) -> Provider:
    actor_require(actor, Capability.PROVIDER_MANAGE_OWN)
    if actor_role(actor) != Role.PROVIDER:
        raise scope_denied(CourseError.FORBIDDEN)
    assert isinstance(actor, User)
    provider = provider_get_for_actor(actor=actor, provider_id=actor.provider_id or 0)
    if provider.status != Provider.Status.VERIFIED:
        raise ApplicationError(
            CourseError.PROVIDER_NOT_VERIFIED,
            _("Hanya lembaga yang sudah terverifikasi yang dapat menawarkan pelatihan."),
            status=409,
        )
    return provider


def course_get_for_operator(*, actor: Actor | None, course_id: int) -> Course:
    """The operator's own course; another provider's course is refused, nothing revealed."""
    actor_require(actor, Capability.PROVIDER_MANAGE_OWN)
    course = Course.objects.select_related("provider").filter(pk=course_id).first()
    if course is None:
        raise NotFound(CourseError.NOT_FOUND, _("Pelatihan tidak ditemukan."))
    if actor_role(actor) != Role.SUPERADMIN:
        assert isinstance(actor, User)
        if course.provider_id != actor.provider_id:
            raise scope_denied(CourseError.FORBIDDEN)
    return course


def course_create(*, actor: Actor | None, data: CourseInput) -> Course:
    provider = _operator_provider(actor)
    values = _clean(data, provider)
    with transaction.atomic():
        course = Course(provider=provider, status=Course.Status.DRAFT, **values)
        audit_as(course, actor=actor)
        course.save()
    return course


def course_update(*, actor: Actor | None, course_id: int, data: CourseInput) -> Course:
    """Change a course's content; a published one goes back to curation."""
    provider = _operator_provider(actor)
    with transaction.atomic():
        course = course_get_for_operator(actor=actor, course_id=course_id)
        course = Course.objects.select_for_update().get(pk=course.pk)
        values = _clean(data, provider)
        changed = any(getattr(course, name) != values[name] for name in CONTENT_FIELDS)
        for name, value in values.items():
            setattr(course, name, value)
        if changed and course.status == Course.Status.PUBLISHED:
            course.status = Course.Status.SUBMITTED
            course.published_at = None
            course.published_by = None
        audit_as(course, actor=actor)
        course.save()
    return course


def course_submit(*, actor: Actor | None, course_id: int) -> Course:
    """Send a draft (or a sent-back course) to the curators; it needs at least one batch."""
    _operator_provider(actor)
    with transaction.atomic():
        course = course_get_for_operator(actor=actor, course_id=course_id)
        course = Course.objects.select_for_update().get(pk=course.pk)
        if course.status not in (Course.Status.DRAFT, Course.Status.RETURNED):
            raise ApplicationError(
                CourseError.NOT_EDITABLE,
                _("Pelatihan ini sudah diajukan atau sudah terbit."),
                status=409,
            )
        if not course.batches.exists():
            raise ApplicationError(
                CourseError.NO_BATCH,
                _("Tambahkan minimal satu angkatan (tanggal dan kursi) sebelum mengajukan."),
                status=409,
            )
        course.status = Course.Status.SUBMITTED
        course.status_reason = ""
        audit_as(course, actor=actor)
        course.save(update_fields=["status", "status_reason"])
    return course


# --- Batches ----------------------------------------------------------------------------


def _batch_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ApplicationError(
            CourseError.BATCH_DATES,
            _("Tanggal selesai tidak boleh sebelum tanggal mulai."),
            field="ends_on",
        )
    if starts_on <= timezone.localdate():
        raise ApplicationError(
            CourseError.BATCH_IN_PAST,
            _("Tanggal mulai harus setelah hari ini."),
            field="starts_on",
        )


def _seats(seats: int) -> None:
    if not 1 <= seats <= 10_000:
        raise _invalid(_("Jumlah kursi harus 1 sampai 10.000."), "seats")


def batch_create(
    *, actor: Actor | None, course_id: int, starts_on: date, ends_on: date, seats: int
) -> CourseBatch:
    _operator_provider(actor)
    course = course_get_for_operator(actor=actor, course_id=course_id)
    _batch_dates(starts_on, ends_on)
    _seats(seats)
    with transaction.atomic():
        batch = CourseBatch(course=course, starts_on=starts_on, ends_on=ends_on, seats=seats)
        audit_as(batch, actor=actor)
        batch.save()
    return batch


def batch_update(
    *, actor: Actor | None, batch_id: int, starts_on: date, ends_on: date, seats: int
) -> CourseBatch:
    """Dates may move while the batch has not started; seats never below those taken."""
    _operator_provider(actor)
    with transaction.atomic():
        batch = CourseBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise NotFound(CourseError.BATCH_NOT_FOUND, _("Angkatan tidak ditemukan."))
        course_get_for_operator(actor=actor, course_id=batch.course_id)
        if batch.starts_on <= timezone.localdate():
            raise ApplicationError(
                CourseError.BATCH_STARTED,
                _("Angkatan yang sudah dimulai tidak dapat diubah."),
                status=409,
            )
        _batch_dates(starts_on, ends_on)
        _seats(seats)
        if seats < batch.seats_taken:
            raise ApplicationError(
                CourseError.BATCH_SEATS_BELOW_TAKEN,
                _("Sudah %(taken)d peserta terdaftar: jumlah kursi tidak boleh kurang dari itu.")
                % {"taken": batch.seats_taken},
                field="seats",
                status=409,
            )
        batch.starts_on, batch.ends_on, batch.seats = starts_on, ends_on, seats
        audit_as(batch, actor=actor)
        batch.save(update_fields=["starts_on", "ends_on", "seats"])
    return batch


# --- Curation ---------------------------------------------------------------------------


def course_curate_check(actor: Actor | None, course: Course) -> None:
    """A Disnaker data officer of the course's regency (or the province), a manager or the
    superadmin curates."""
    verifier_check(actor, regency_id=course.regency_id, denied_code=CourseError.FORBIDDEN)


def _curated(actor: Actor | None, course_id: int) -> Course:
    course = (
        Course.objects.select_for_update().select_related("provider").filter(pk=course_id).first()
    )
    if course is None:
        raise NotFound(CourseError.NOT_FOUND, _("Pelatihan tidak ditemukan."))
    course_curate_check(actor, course)
    if course.status != Course.Status.SUBMITTED:
        raise ApplicationError(
            CourseError.NOT_SUBMITTED,
            _("Pelatihan ini tidak sedang menunggu kurasi."),
            status=409,
        )
    return course


def course_publish(*, actor: Actor | None, course_id: int) -> Course:
    with transaction.atomic():
        course = _curated(actor, course_id)
        if course.provider.status != Provider.Status.VERIFIED:
            raise ApplicationError(
                CourseError.PROVIDER_NOT_VERIFIED,
                _("Lembaga penyelenggara belum terverifikasi: pelatihan tidak dapat diterbitkan."),
                status=409,
            )
        assert isinstance(actor, User)
        course.status = Course.Status.PUBLISHED
        course.status_reason = ""
        course.published_by = actor
        course.published_at = timezone.now()
        audit_as(course, actor=actor)
        course.save(update_fields=["status", "status_reason", "published_by", "published_at"])
        _tell_operator(
            course,
            _('Prakerja Jatim: pelatihan "%(title)s" (%(price)s) telah terbit di katalog.')
            % {"title": course.title[:60], "price": rupiah(course.price)},
        )
    return course


def course_send_back(*, actor: Actor | None, course_id: int, reason: str) -> Course:
    reason = reason.strip()
    if not 5 <= len(reason) <= 500:
        raise ApplicationError(
            CourseError.REASON_REQUIRED,
            _(
                "Tulis alasan pengembalian (5 sampai 500 huruf) agar lembaga tahu apa yang "
                "diperbaiki."
            ),
            field="reason",
        )
    with transaction.atomic():
        course = _curated(actor, course_id)
        course.status = Course.Status.RETURNED
        course.status_reason = reason
        audit_as(course, actor=actor)
        course.save(update_fields=["status", "status_reason"])
        _tell_operator(
            course,
            _('Prakerja Jatim: pelatihan "%(title)s" dikembalikan untuk perbaikan: %(reason)s')
            % {"title": course.title[:60], "reason": reason[:200]},
        )
    return course


def _tell_operator(course: Course, body: str) -> None:
    phone = course.provider.contact_phone
    if phone:
        sms_send_on_commit(to=phone, body=body)
