"""Applicant pages: the entry page, the wizard (its steps grouped in pages), the status page,
the receipt, and the programme manager's rules page.

Views stay thin: fetch through ``registration_get_for_actor`` (so an officer of the assisting
post uses the very same pages), call one service, render. Validation lives in the services;
a refused step re-renders with what the person typed and every error next to its field.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.accounts.decorators import role_required
from prakerja.accounts.models import Role, User
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.core.forms import MONTHS, DateInputWidget, date_parts
from prakerja.core.idempotency import form_token_issue, once_per_submission_token
from prakerja.core.throttle import RateLimited
from prakerja.identity.phones import phone_mask
from prakerja.regions.selectors import districts_of, provinces_all, regencies_of, regency_get
from prakerja.registry.errors import RegistryErrorCode, StepInvalid
from prakerja.registry.forms import STEP_FORMS
from prakerja.registry.links import registration_url
from prakerja.registry.models import (
    EligibilityRule,
    EmploymentStatus,
    Gender,
    MigrantReason,
    Occupation,
    Registration,
)
from prakerja.registry.nik_guard import nik_guard
from prakerja.registry.nik_prefill import domicile_from_nik, identity_prefill
from prakerja.registry.selectors import (
    consent_text_by_id,
    consent_text_current,
    registration_for_user,
    registration_get_for_actor,
    registration_missing_steps,
    test_answers_of,
    test_questions_active,
)
from prakerja.registry.services.draft import registration_update_draft_steps
from prakerja.registry.services.programme import programme_default
from prakerja.registry.services.registration import registration_start
from prakerja.registry.services.rules import eligibility_rule_update
from prakerja.registry.services.submission import registration_submit_by_reference
from prakerja.registry.steps import PAGE_TITLES, PAGES, STEP_ORDER, Page, Step, page_number, page_of

EAST_JAVA = "35"
# What the identity step's NIK check (views_nik) reads of the form.
NIK_CHECK_PARAMS = "nik,birth_date_day,birth_date_month,birth_date_year,gender"
# Fields read from the POST of each step (anything else in the body is ignored): those of the
# step's form, the schema the API shares.
STEP_FIELDS: dict[Step, tuple[str, ...]] = {
    step: tuple(form.base_fields) for step, form in STEP_FORMS.items() if step != Step.TEST
}


def step_post_data(step: Step, post: QueryDict) -> dict[str, Any]:
    """The values of a step as the wizard posts them (the NIK check reads them too)."""
    if step == Step.TEST:
        answers = {
            key[2:]: value
            for key, value in post.items()
            if key.startswith("q_") and key[2:].isdigit() and len(key) < 16
        }
        return {"answers": answers}
    fields = STEP_FORMS[step].base_fields
    return {
        # A date input posts its day, month and year as three fields: its widget reads them.
        name: fields[name].widget.value_from_datadict(post, {}, name)
        if isinstance(fields[name].widget, DateInputWidget)
        else post.get(name, "")
        for name in STEP_FIELDS[step]
    }


def _page_errors(page: Page, errors: dict[Step, dict[str, list[str]]]) -> dict[str, list[str]]:
    """The errors of a page's steps in the order of the fields on the page, as the error
    summary lists them (a form finds them in its own order: single fields first, then the
    whole step). A step's own error (not a field's) is keyed ``#step-<step>``: the summary
    links it to that step's part of the page."""
    ordered: dict[str, list[str]] = {}
    for step in page:
        found = errors.get(step, {})
        order = ("__all__", *STEP_FIELDS.get(step, ()))
        for field, messages in sorted(
            found.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99
        ):
            ordered[f"#step-{step.value}" if field == "__all__" else field] = messages
    return ordered


def _steps_posted(current: Step, post: QueryDict) -> Page:
    """The steps a POST saves: those its form marks (``steps``) that are on the URL's page, in
    page order; when none is marked (an older page, a client sending one step), the URL's
    step alone."""
    marked = set(post.getlist("steps"))
    return tuple(step for step in page_of(current) if step.value in marked) or (current,)


def _initial(step: Step, registration: Registration) -> dict[str, Any]:
    r = registration
    if step == Step.IDENTITY:
        # The NIK and KK inputs start empty: the stored numbers are shown masked and kept
        # when left empty (see the service).
        return {
            "full_name": r.full_name,
            "birth_place": r.birth_place,
            "birth_date": r.birth_date.isoformat() if r.birth_date else "",
            "gender": r.gender,
        }
    if step == Step.CONTACT:
        return {"phone": str(r.phone) if r.phone else "", "email": r.email}
    if step == Step.DOMICILE:
        if not r.domicile_regency_id:
            # Not answered yet: start from where the NIK was issued, for the person to confirm.
            from_nik = domicile_from_nik(r)
            if from_nik:
                return {**from_nik, "address": r.address, "from_nik": True}
        return {
            "regency": r.domicile_regency_id or "",
            "district": r.domicile_district_id or "",
            "address": r.address,
        }
    if step == Step.WORK:
        return {
            "employment_status": r.employment_status,
            "migrant_reason": r.migrant_reason,
            "occupation": r.occupation,
            "last_employer": r.last_employer,
            "last_employment_date": (
                r.last_employment_date.isoformat() if r.last_employment_date else ""
            ),
        }
    if step == Step.EDUCATION_DISABILITY:
        return {
            "not_in_education": {True: "yes", False: "no"}.get(r.not_in_education, ""),  # type: ignore[arg-type]
            "has_disability": "on" if r.has_disability else "",
            "disability_note": r.disability_note,
        }
    if step == Step.CONSENT:
        return {
            "consent": "on" if r.consent_at else "",
            "truthfulness": "on" if r.truthfulness_at else "",
        }
    return {"answers": {str(k): str(v) for k, v in test_answers_of(registration=r).items()}}


def _region_context(values: dict[str, Any]) -> dict[str, Any]:
    regency_code = str(values.get("regency") or "")
    regency = regency_get(regency_code[:4]) if regency_code else None
    province_code = regency.province_id if regency else EAST_JAVA
    return {
        "provinces": provinces_all(),
        "province_code": province_code,
        "regencies": regencies_of(province_code),
        "districts": districts_of(regency.pk) if regency else (),
    }


def _page_initial(page: Page, registration: Registration) -> dict[str, Any]:
    # The steps of a page have no field name in common: one dict holds the whole page.
    values: dict[str, Any] = {}
    for step in page:
        values.update(_initial(step, registration))
    return values


# Built once: ``TextChoices.choices`` is a new list on every access, and ``{% options %}`` keeps
# each list's escaped options (per language: the labels are translated when shown).
GENDER_CHOICES = Gender.choices
EMPLOYMENT_CHOICES = EmploymentStatus.choices
MIGRANT_CHOICES = MigrantReason.choices
OCCUPATION_CHOICES = Occupation.choices


def _page_context(
    request: HttpRequest,
    registration: Registration | None,
    step: Step,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """A wizard page's context. Without a registration it is the first page as the entry page
    shows it, before the registration exists: it posts to the entry, which starts the
    registration and saves the page in one request."""
    page = page_of(step)
    missing = registration_missing_steps(registration) if registration else list(STEP_ORDER)
    errors = errors or {}
    context: dict[str, Any] = {
        "registration": registration,
        "entry": registration is None,
        "form_action": (
            registration_url("registry:step", registration.reference, step.value)
            if registration
            else reverse("registry:entry")
        ),
        "step": step,
        "page_title": PAGE_TITLES[page],
        "grouped": len(page) > 1,
        "sections": [
            {"step": s, "anchor": f"step-{s.value}", "errors": errors.get(f"#step-{s.value}")}
            for s in page
        ],
        "months": MONTHS,
        "nik_check_params": NIK_CHECK_PARAMS,
        # The list of pages: the first step of each (any step of a page shows all of it).
        "pages": [
            {
                "step": p[0],
                "title": PAGE_TITLES[p],
                "current": p == page,
                "done": not any(s in missing for s in p),
                "steps": [(s, s not in missing) for s in p],
            }
            for p in PAGES
        ],
        "pages_done": sum(1 for p in PAGES if not any(s in missing for s in p)),
        "page_number": page_number(step),
        "page_count": len(PAGES),
        "values": values,
        "errors": errors,
        "submission_token": form_token_issue(request),
        "gender_choices": GENDER_CHOICES,
        "employment_choices": EMPLOYMENT_CHOICES,
        "migrant_choices": MIGRANT_CHOICES,
        "occupation_choices": OCCUPATION_CHOICES,
    }
    if Step.IDENTITY in page:
        context["birth_date_parts"] = date_parts(values.get("birth_date"))
        context["nik_check_url"] = nik_check_url(registration)
    if registration is None:  # the entry page: the first page, identity alone
        return context
    if Step.WORK in page:
        context["last_employment_date_parts"] = date_parts(values.get("last_employment_date"))
    if Step.DOMICILE in page:
        context.update(_region_context(values))
    if Step.CONSENT in page:
        context["consent_text"] = (
            consent_text_by_id(registration.consent_text_id)
            if registration.consent_text_id
            else consent_text_current()
        )
    if Step.TEST in page:
        answers = values.get("answers", {})
        context["questions"] = [
            (question, answers.get(str(question.pk)), errors.get(f"q_{question.pk}"))
            for question in test_questions_active(programme=registration.programme)
        ]
    return context


def nik_check_url(registration: Registration | None) -> str:
    """Where the identity page's NIK check posts: the registration's, or the entry page's."""
    if registration is None:
        return reverse("registry:entry_nik_check")
    return registration_url("registry:identity_nik_check", registration.reference)


def _after_page(registration: Registration, step: Step, saved: Page) -> str:
    """Where a saved page leads: the first step still missing after it (a step of the same page
    that was not sent first: its page again), else the first one missing anywhere, else the
    check-answers page (also where an "Ubah" link from that page comes back to)."""
    missing = registration_missing_steps(registration)
    here = page_number(step)
    later = [
        s for s in missing if page_number(s) > here or (page_number(s) == here and s not in saved)
    ]
    following = later or missing
    if following:
        return registration_url("registry:step", registration.reference, following[0].value)
    return registration_url("registry:check_answers", registration.reference)


# --- Entry ----------------------------------------------------------------------------------


@never_cache
@login_required
@once_per_submission_token
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest) -> HttpResponse:
    """A signed-in applicant starts or continues their registration."""
    user = request.user
    assert isinstance(user, User)
    if user.role != Role.APPLICANT:
        return render(request, "registry/entry.html")
    # A POST starts the registration or returns the one the account has: one locked read.
    posting = request.method == "POST"
    registration = (
        registration_start(actor=user, user=user)
        if posting
        else registration_for_user(user=user, programme=programme_default())
    )
    if registration is not None:
        if registration.status != Registration.Status.DRAFT:
            return redirect("registry:status", registration.reference)
        if posting and _identity_typed(request.POST):
            # The entry page holds the first page's questions: started and saved in one go,
            # in the submission token's transaction that holds the new row.
            return _page_post(
                request,
                registration,
                Step.IDENTITY,
                locked=transaction.get_connection().in_atomic_block,
                starting=True,
            )
        missing = registration_missing_steps(registration)
        if not missing:
            return redirect("registry:status", registration.reference)
        return redirect("registry:step", registration.reference, missing[0].value)
    # No registration yet: the start page is the first page of questions, posted here.
    return render(request, "registry/step.html", _page_context(request, None, Step.IDENTITY, {}))


def _identity_typed(data: QueryDict) -> bool:
    """Whether the entry page was sent with any of the first page's answers (else only its
    button was pressed, and the first page is shown next, as before)."""
    if Step.IDENTITY.value not in data.getlist("steps"):
        return False
    # As the wizard reads them: a date comes as its day, month and year.
    values = step_post_data(Step.IDENTITY, data)
    return any(
        str(part).strip()
        for value in values.values()
        for part in (value if isinstance(value, list) else [value])
    )


# --- Wizard ---------------------------------------------------------------------------------


@never_cache
@login_required
@once_per_submission_token
@require_http_methods(["GET", "POST"])
def step_page(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    """A page of the wizard: the URL's step with the other steps of its page, in one form."""
    # A POST runs in its submission token's transaction (once_per_submission_token): the
    # registration is locked here, in the statement that checks the scope, and the save uses
    # it without reading it again.
    posting = request.method == "POST" and transaction.get_connection().in_atomic_block
    registration = registration_get_for_actor(
        actor=request.user, reference=reference, for_update=posting
    )
    current = Step(step)
    if registration.status != Registration.Status.DRAFT:
        return redirect("registry:status", registration.reference)
    page = page_of(current)
    if request.method != "POST":
        context = _page_context(request, registration, current, _page_initial(page, registration))
        return render(request, "registry/step.html", context)
    return _page_post(request, registration, current, locked=posting)


def _page_post(
    request: HttpRequest,
    registration: Registration,
    current: Step,
    *,
    locked: bool,
    starting: bool = False,
) -> HttpResponse:
    """A wizard page sent: its steps saved (each valid one), then the next page, or the page
    again with what was typed and the errors. ``locked``: the caller's transaction holds the
    registration's row. ``starting``: the registration was started by this very request (the
    start page), so a refusal undoes it too."""
    page = page_of(current)
    handled = _steps_posted(current, request.POST)
    posted = {s: step_post_data(s, request.POST) for s in handled}
    # A step of the page that was not sent is shown as it is saved.
    values = _page_initial(tuple(s for s in page if s not in posted), registration)
    for step_values in posted.values():
        values.update(step_values)
    identity = posted.get(Step.IDENTITY)
    status, retry_after, prefilled = 422, 0, False
    try:
        with nik_guard(
            request,
            actor=request.user,
            registration=registration,
            step=Step.IDENTITY if identity is not None else current,
            data=identity or {},
        ):
            result = registration_update_draft_steps(
                actor=request.user,
                registration=registration,
                steps=posted,
                locked_by_caller=locked,
            )
    except ApplicationError as error:
        if error.status not in {400, 409, 429}:
            raise
        # Nothing was saved; the page shows the registration as it is stored (the save may
        # have set fields on the instance before it was refused).
        shown: Registration | None = registration
        if starting:
            # A refusal undoes the whole request (core.idempotency), the new draft with it:
            # the start page again, with what was typed.
            shown = None
        elif locked:
            shown = registration_get_for_actor(actor=request.user, reference=registration.reference)
        errors = {error.field or "__all__": [str(error.message)]}
        if isinstance(error, RateLimited):
            status, retry_after = 429, error.retry_after
    else:
        registration = result.registration
        by_step = {s: refused.by_field() for s, refused in result.errors.items()}
        if (
            identity is not None
            and Step.IDENTITY in by_step
            and identity_prefill(
                registration=registration, values=identity, errors=by_step[Step.IDENTITY]
            )
        ):
            # Nothing saved: shown again with the birth date and sex read from the NIK.
            values.update(identity)
            prefilled = True
        errors = _page_errors(page, by_step)
        if not errors and not prefilled:
            return redirect(_after_page(registration, current, handled))
        status = 422 if errors else 200
        shown = registration
    context = _page_context(request, shown, current, values, errors)
    context["nik_prefilled"] = prefilled
    # 422 (429 when rate-limited): the page is the same form again, with what was typed and
    # the errors; the steps of the page that were valid are saved.
    response = render(request, "registry/step.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_GET
def regency_options(request: HttpRequest) -> HttpResponse:
    province = request.GET.get("province", "")[:2]
    regencies = regencies_of(province) if province.isascii() and province.isdigit() else ()
    return render(
        request, "registry/step.html#regency_options", {"regencies": regencies, "values": {}}
    )


@require_GET
def district_options(request: HttpRequest) -> HttpResponse:
    regency = request.GET.get("regency", "")[:4]
    districts = districts_of(regency) if regency.isascii() and regency.isdigit() else ()
    return render(
        request, "registry/step.html#district_options", {"districts": districts, "values": {}}
    )


# --- Status, submission, receipt ------------------------------------------------------------


def _status_context(request: HttpRequest, registration: Registration) -> dict[str, Any]:
    missing = registration_missing_steps(registration)
    return {
        "registration": registration,
        "steps": [(s, s not in missing) for s in STEP_ORDER],
        "missing": missing,
        "nik_masked": registration.person.nik_masked if registration.person else "",
        "submission_token": form_token_issue(request),
    }


@never_cache
@login_required
@require_GET
def status_page(request: HttpRequest, reference: str) -> HttpResponse:
    registration = registration_get_for_actor(actor=request.user, reference=reference)
    return render(request, "registry/status.html", _status_context(request, registration))


@never_cache
@login_required
@once_per_submission_token
@require_POST
def submit(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        # Fetched, scope-checked and locked by the service in one statement.
        registration = registration_submit_by_reference(actor=request.user, reference=reference)
    except ApplicationError as error:
        if error.status != 400:
            raise
        registration = registration_get_for_actor(actor=request.user, reference=reference)
        context = _status_context(request, registration)
        context["submit_error"] = error
        return render(request, "registry/status.html", context, status=400)
    if registration.status == Registration.Status.SUBMITTED:
        return redirect("registry:confirmation", registration.reference)
    # Not eligible: the status page lists the reasons.
    return redirect("registry:status", registration.reference)


def _receipt_context(request: HttpRequest, reference: str) -> dict[str, Any]:
    registration = registration_get_for_actor(actor=request.user, reference=reference)
    if registration.status == Registration.Status.DRAFT:
        raise NotFound(
            RegistryErrorCode.RECEIPT_UNAVAILABLE,
            _("Bukti pendaftaran tersedia setelah pendaftaran dikirim."),
        )
    return {
        "registration": registration,
        "nik_masked": registration.person.nik_masked if registration.person else "",
        "phone_masked": phone_mask(str(registration.phone)) if registration.phone else "",
    }


@never_cache
@login_required
@require_GET
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    return render(request, "registry/receipt.html", _receipt_context(request, reference))


@never_cache
@login_required
@require_GET
def receipt_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    context = _receipt_context(request, reference)
    html = render_to_string("registry/receipt_pdf.html", context, request=request)
    try:
        # Imported here: WeasyPrint loads pango through cffi, and a server without the
        # library must still serve every other page (and the HTML receipt).
        from weasyprint import HTML

        # No base_url and no external resources in the template: rendering never fetches
        # anything over the network.
        pdf = HTML(string=html).write_pdf()
    except OSError:
        context["html_url"] = reverse("registry:receipt", args=[reference])
        return render(request, "registry/receipt_unavailable.html", context, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="bukti-{context["registration"].reference}.pdf"'
    )
    return response


# --- Rules (programme manager) --------------------------------------------------------------


@never_cache
@role_required(Role.MANAGER)
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    programme = programme_default()
    rules = EligibilityRule.objects.filter(programme=programme).order_by("pk")
    return render(request, "registry/rules.html", {"programme": programme, "rules": rules})


@never_cache
@role_required(Role.MANAGER)
@once_per_submission_token
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = EligibilityRule.objects.filter(pk=rule_id).select_related("programme").first()
    if rule is None:
        raise NotFound(RegistryErrorCode.RULE_NOT_FOUND, _("Aturan tidak ditemukan."))
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "reason": rule.reason,
        "is_active": rule.is_active,
        **(rule.parameter if isinstance(rule.parameter, dict) else {}),
    }
    if request.method == "POST":
        values = {
            "reason": request.POST.get("reason", ""),
            "is_active": request.POST.get("is_active") == "on",
            "years": request.POST.get("years", ""),
            "max": request.POST.get("max", ""),
            "occupations": request.POST.getlist("occupations"),
        }
        try:
            eligibility_rule_update(
                actor=request.user,
                rule=rule,
                parameter=values,
                reason=values["reason"],
                is_active=values["is_active"],
            )
        except StepInvalid as error:
            errors = error.by_field()
        else:
            return redirect("registry:rule_list")
    context = {
        "rule": rule,
        "values": values,
        "errors": errors,
        "occupation_choices": [c for c in Occupation.choices if c[0] != Occupation.NONE],
        "submission_token": form_token_issue(request),
    }
    return render(request, "registry/rule_edit.html", context, status=422 if errors else 200)
