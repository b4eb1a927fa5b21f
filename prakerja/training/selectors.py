"""Reads of the course catalogue: what applicants browse, and the staff queues."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import F, Min, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.core.errors import NotFound
from prakerja.training.errors_courses import CourseError
from prakerja.training.models import Course, CourseBatch, Provider

PAGE_SIZE = 12


@dataclass(frozen=True)
class CatalogueFilter:
    field: str = ""
    mode: str = ""
    regency_id: str = ""
    max_price: int | None = None
    text: str = ""


def _upcoming_batches() -> QuerySet[CourseBatch]:
    return CourseBatch.objects.filter(starts_on__gt=timezone.localdate()).order_by("starts_on")


def catalogue_courses(*, filters: CatalogueFilter) -> QuerySet[Course]:
    """Published courses of verified providers with at least one batch still to start; each
    carries ``upcoming`` (its batches still to start, with ``seats_left``)."""
    today = timezone.localdate()
    courses = Course.objects.filter(
        status=Course.Status.PUBLISHED,
        provider__status=Provider.Status.VERIFIED,
        batches__starts_on__gt=today,
    )
    if filters.field:
        courses = courses.filter(field=filters.field)
    if filters.mode:
        courses = courses.filter(mode=filters.mode)
    if filters.regency_id:
        # An online course is open to every regency.
        courses = courses.filter(Q(regency_id=filters.regency_id) | Q(mode=Course.Mode.ONLINE))
    if filters.max_price is not None:
        courses = courses.filter(price__lte=filters.max_price)
    if filters.text:
        courses = courses.filter(
            Q(title__icontains=filters.text) | Q(provider__name__icontains=filters.text)
        )
    return (
        courses.annotate(
            next_start=Min("batches__starts_on", filter=Q(batches__starts_on__gt=today))
        )
        .select_related("provider", "regency")
        .order_by("next_start", "title", "pk")
    )


def catalogue_page(*, filters: CatalogueFilter, page: int) -> Page[Course]:
    return Paginator(catalogue_courses(filters=filters), PAGE_SIZE).get_page(page)


def catalogue_course(*, course_id: int) -> Course:
    """One course as the catalogue shows it (published, verified provider), its upcoming
    batches with ``seats_left`` prefetched as ``upcoming``."""
    batches = _upcoming_batches().annotate(seats_left=F("seats") - F("seats_taken"))
    course = (
        Course.objects.filter(
            pk=course_id,
            status=Course.Status.PUBLISHED,
            provider__status=Provider.Status.VERIFIED,
        )
        .select_related("provider", "regency")
        .prefetch_related(Prefetch("batches", queryset=batches, to_attr="upcoming"))
        .first()
    )
    if course is None:
        raise NotFound(CourseError.NOT_FOUND, _not_found())
    return course


def _not_found() -> str:
    return _("Pelatihan tidak ditemukan atau belum terbit.")


def operator_courses(*, actor: User) -> QuerySet[Course]:
    return (
        Course.objects.filter(provider_id=actor.provider_id or 0)
        .prefetch_related("batches")
        .order_by("status", "title")
    )


def curation_queue(*, actor: Actor | None) -> QuerySet[Course]:
    """Courses waiting for curation that the actor may curate (regency or province)."""
    courses = Course.objects.filter(status=Course.Status.SUBMITTED).select_related(
        "provider", "regency"
    )
    if actor_role(actor) == Role.DATA_OFFICER:
        assert isinstance(actor, User)
        if actor.regency_id is not None:
            courses = courses.filter(regency_id=actor.regency_id)
    return courses.order_by("created_at")


def verification_queue(*, actor: Actor | None) -> QuerySet[Provider]:
    """Providers waiting for a verification decision that the actor may decide."""
    providers = Provider.objects.filter(
        status__in=[Provider.Status.SUBMITTED, Provider.Status.APPROVED_ONCE]
    ).select_related("regency")
    if actor_role(actor) == Role.DATA_OFFICER:
        assert isinstance(actor, User)
        if actor.regency_id is not None:
            providers = providers.filter(regency_id=actor.regency_id)
    return providers.order_by("submitted_at", "pk")
