"""Course catalogue pages: the public catalogue and course page, the operator's courses and
batches, and the curators' queue. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.accounts.models import User
from prakerja.accounts.scopes import Capability, actor_require
from prakerja.core.errors import ApplicationError
from prakerja.regions.models import Regency
from prakerja.training import selectors
from prakerja.training.models import Course, TrainingField
from prakerja.training.services import courses as services
from prakerja.training.views.common import refusal_page, shown

EAST_JAVA = "35"


def _regencies() -> list[tuple[str, str]]:
    return list(
        Regency.objects.filter(province_id=EAST_JAVA).order_by("name").values_list("code", "name")
    )


def _int(value: str | None) -> int | None:
    value = (value or "").replace(".", "").replace(" ", "").strip()
    return int(value) if value.isdigit() and len(value) <= 12 else None


def enrol_url(batch_id: int) -> str | None:
    """The enrolment page of a batch (enrolment app), when this build has it."""
    try:
        return reverse("enrolment:enrol_confirm", kwargs={"batch_id": batch_id})
    except NoReverseMatch:
        return None


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    filters = selectors.CatalogueFilter(
        field=request.GET.get("field", "")
        if request.GET.get("field") in TrainingField.values
        else "",
        mode=request.GET.get("mode", "") if request.GET.get("mode") in Course.Mode.values else "",
        regency_id=regency if (regency := request.GET.get("regency", "")).isdigit() else "",
        max_price=_int(request.GET.get("max_price")),
        text=request.GET.get("q", "").replace("\x00", "").strip()[:100],
    )
    page = selectors.catalogue_page(filters=filters, page=_int(request.GET.get("page")) or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/catalogue.html",
        {
            "page": page,
            "filters": filters,
            "fields": TrainingField.choices,
            "modes": Course.Mode.choices,
            "regencies": _regencies(),
            "query": query.urlencode(),
        },
    )


@require_GET
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    try:
        course = selectors.catalogue_course(course_id=course_id)
    except ApplicationError as error:
        return refusal_page(request, error)
    batches = [(batch, enrol_url(batch.pk)) for batch in course.upcoming]  # type: ignore[attr-defined]
    return render(request, "training/course_detail.html", {"course": course, "batches": batches})


# --- Operator ---------------------------------------------------------------------------


def _course_input(post: Any) -> services.CourseInput:
    price = _int(post.get("price"))
    return services.CourseInput(
        title=post.get("title", ""),
        field=post.get("field", ""),
        mode=post.get("mode", ""),
        hours=_int(post.get("hours")) or 0,
        price=-1 if price is None else price,  # -1: refused with the price message
        description=post.get("description", ""),
        language=post.get("language", Course.Language.INDONESIAN),
        place=post.get("place", ""),
    )


@login_required
@require_GET
def operator_courses(request: HttpRequest) -> HttpResponse:
    try:
        actor_require(request.user, Capability.PROVIDER_MANAGE_OWN)
    except ApplicationError as refused:
        return refusal_page(request, refused)
    assert isinstance(request.user, User)
    courses = selectors.operator_courses(actor=request.user)
    return render(request, "training/operator_courses.html", {"courses": courses})


@login_required
@require_http_methods(["GET", "POST"])
def course_form(request: HttpRequest, course_id: int | None = None) -> HttpResponse:
    course = None
    try:
        if course_id is not None:
            course = services.course_get_for_operator(actor=request.user, course_id=course_id)
        else:
            actor_require(request.user, Capability.PROVIDER_MANAGE_OWN)
    except ApplicationError as refused:
        return refusal_page(request, refused)
    values: dict[str, Any] = {}
    if course is not None:
        values = {
            name: getattr(course, name)
            for name in (
                "title",
                "field",
                "mode",
                "hours",
                "price",
                "description",
                "language",
                "place",
            )
        }
    errors: dict[str, list[str]] = {}
    error: ApplicationError | None = None
    if request.method == "POST":
        values = {
            key: request.POST.get(key, "")
            for key in (
                "title",
                "field",
                "mode",
                "hours",
                "price",
                "description",
                "language",
                "place",
            )
        }
        try:
            data = _course_input(request.POST)
            if course is None:
                course = services.course_create(actor=request.user, data=data)
                messages.success(
                    request, _("Pelatihan disimpan sebagai draf. Tambahkan angkatannya.")
                )
            else:
                course = services.course_update(actor=request.user, course_id=course.pk, data=data)
                messages.success(request, _("Perubahan disimpan."))
            return redirect("training:operator_course", course_id=course.pk)
        except ApplicationError as caught:
            error = shown(caught)
            if caught.field:
                errors[caught.field] = [str(caught.message)]
    return render(
        request,
        "training/course_form.html",
        {
            "course": course,
            "values": values,
            "errors": errors,
            "error": error,
            "fields": TrainingField.choices,
            "modes": Course.Mode.choices,
            "languages": Course.Language.choices,
        },
        status=error.status if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def operator_course(request: HttpRequest, course_id: int) -> HttpResponse:
    """One course of the operator: its status and reason, its batches, add a batch, submit."""
    try:
        course = services.course_get_for_operator(actor=request.user, course_id=course_id)
    except ApplicationError as refused:
        return refusal_page(request, refused)
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    error: ApplicationError | None = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit":
                services.course_submit(actor=request.user, course_id=course.pk)
                messages.success(request, _("Pelatihan diajukan untuk kurasi Disnaker."))
            else:
                values = {
                    key: request.POST.get(key, "") for key in ("starts_on", "ends_on", "seats")
                }
                starts_on, ends_on = (
                    _date(values["starts_on"], "starts_on"),
                    _date(values["ends_on"], "ends_on"),
                )
                seats = _int(values["seats"]) or 0
                services.batch_create(
                    actor=request.user,
                    course_id=course.pk,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    seats=seats,
                )
                messages.success(request, _("Angkatan ditambahkan."))
            return redirect("training:operator_course", course_id=course.pk)
        except ApplicationError as caught:
            error = shown(caught)
            if caught.field:
                errors[caught.field] = [str(caught.message)]
        course.refresh_from_db()
    return render(
        request,
        "training/operator_course.html",
        {
            "course": course,
            "batches": course.batches.order_by("starts_on"),
            "values": values,
            "errors": errors,
            "error": error,
        },
        status=error.status if error else 200,
    )


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ApplicationError(
            services.CourseError.BATCH_DATES,
            _("Tulis tanggal yang benar, misalnya 2027-01-15."),
            field=field,
        ) from None


# --- Curation ---------------------------------------------------------------------------


@login_required
@require_GET
def curation_queue(request: HttpRequest) -> HttpResponse:
    try:
        actor_require(request.user, Capability.PROVIDER_VERIFY)
    except ApplicationError as refused:
        return refusal_page(request, refused)
    return render(
        request,
        "training/curation_queue.html",
        {"courses": selectors.curation_queue(actor=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def curation_review(request: HttpRequest, course_id: int) -> HttpResponse:
    course = Course.objects.select_related("provider", "regency").filter(pk=course_id).first()
    try:
        if course is None:
            raise ApplicationError(
                services.CourseError.NOT_FOUND, _("Pelatihan tidak ditemukan."), status=404
            )
        services.course_curate_check(request.user, course)
    except ApplicationError as refused:
        return refusal_page(request, refused)
    error: ApplicationError | None = None
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            if request.POST.get("action") == "publish":
                services.course_publish(actor=request.user, course_id=course.pk)
                messages.success(request, _("Pelatihan diterbitkan di katalog."))
            else:
                services.course_send_back(actor=request.user, course_id=course.pk, reason=reason)
                messages.success(
                    request, _("Pelatihan dikembalikan ke lembaga dengan alasan Anda.")
                )
            return redirect("training:curation_queue")
        except ApplicationError as caught:
            error = shown(caught)
    return render(
        request,
        "training/curation_review.html",
        {
            "course": course,
            "batches": course.batches.order_by("starts_on"),
            "error": error,
            "reason": reason,
        },
        status=error.status if error else 200,
    )
