"""Filling in the steps of a draft (SPEC §3.2): one step (the API), or the steps of one page of
the wizard in one write.

Each step's input is cleaned by its form (``registry.forms.STEP_FORMS``, the one schema the
wizard and the API share); what is left here is what a step writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.scopes import Actor
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.core.rowsql import insert_rows, update_with_history
from prakerja.core.units import service_atomic
from prakerja.identity.services import person_get_or_create, person_kk_set
from prakerja.registry.errors import RegistryErrorCode, StepInvalid, nik_taken, not_draft
from prakerja.registry.forms import STEP_FORMS, ConsentForm, StepForm, TestForm
from prakerja.registry.models import Registration, TestAnswer, TestQuestion
from prakerja.registry.selectors import registration_get_for_actor, test_questions_active
from prakerja.registry.services.common import (
    person_free_for,
    person_given_up,
    require_editor_role,
)
from prakerja.registry.steps import STEP_ORDER, Step


class _Changes(dict[str, Any]):
    """A step's field changes. ``new_person``: the identity step created the person it links
    in this transaction, so no other registration can hold that person yet."""

    new_person = False


def _identity(registration: Registration, form: StepForm) -> dict[str, Any]:
    data = form.cleaned_data
    # One look-up of the NIK: the person found (and locked) or created here. A person just
    # created has no registration, so only one found is checked against the others.
    person, created = person_get_or_create(nik=data["nik"], kk=data["kk"])
    if not created:
        person_free_for(registration, person)
    # The applicant's statement is the latest word on their family card; the person's history
    # keeps the previous number if it differed.
    person = person_kk_set(person=person, kk=data["kk"])
    changes = _Changes(
        person=person,
        kk_index=person.kk_index,
        full_name=data["full_name"],
        birth_place=data["birth_place"],
        birth_date=data["birth_date"],
        gender=data["gender"],
        nik_warnings=data["nik_warnings"],
    )
    changes.new_person = created
    return changes


def _contact(registration: Registration, form: StepForm) -> dict[str, Any]:
    email = form.cleaned_data["email"]
    fields: dict[str, Any] = {"phone": form.cleaned_data["phone"], "email": email}
    if registration.phone_owner != Registration.PhoneOwner.SELF:
        fields["phone_owner"] = (
            Registration.PhoneOwner.RELATIVE if fields["phone"] else Registration.PhoneOwner.NONE
        )
    if email != registration.email:
        # A new address has to be confirmed again.
        fields["email_verified"] = False
    return fields


def _domicile(registration: Registration, form: StepForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "domicile_regency": data["regency"],
        "domicile_district": data["district"],
        "address": data["address"],
    }


def _work(registration: Registration, form: StepForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


def _education_disability(registration: Registration, form: StepForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "not_in_education": data["not_in_education"],
        "has_disability": bool(data["has_disability"]),
        "disability_note": data["disability_note"] if data["has_disability"] else "",
    }


def _consent(registration: Registration, form: StepForm) -> dict[str, Any]:
    assert isinstance(form, ConsentForm)
    if form.consent_text is None:
        raise ApplicationError(
            RegistryErrorCode.CONSENT_TEXT_MISSING,
            _("Teks persetujuan belum tersedia. Hubungi petugas."),
            status=503,
        )
    now = timezone.now()
    return {"consent_text": form.consent_text, "consent_at": now, "truthfulness_at": now}


def _test(registration: Registration, form: StepForm) -> dict[str, Any]:
    assert isinstance(form, TestForm)
    questions = form.questions
    answers: dict[int, int] = form.cleaned_data["answers"]
    if answers:
        now = timezone.now()
        # One statement for the whole page: a changed answer replaces the earlier one
        # (``bulk_create(update_conflicts=True)``, hand-written: ``core.rowsql``).
        insert_rows(
            TestAnswer,
            ("registration", "question", "choice", "answered_at"),
            [(registration.pk, pk, c, now) for pk, c in answers.items()],
            unique=("registration", "question"),
            update=("choice", "answered_at"),
        )
    given = (
        answers
        if set(questions) <= set(answers)
        else dict(
            TestAnswer.objects.filter(
                registration=registration, question_id__in=questions
            ).values_list("question_id", "choice")
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


def _step_form(step: Step, registration: Registration, data: Mapping[str, Any]) -> StepForm:
    """The step's form, cleaned; raises ``StepInvalid`` with every field error."""
    form: StepForm
    if step == Step.TEST:
        questions = list(test_questions_active(programme=registration.programme))
        form = TestForm(data, registration=registration, questions=questions)
    else:
        form = STEP_FORMS[step](data, registration=registration)
    errors = form.step_errors()
    if errors:
        raise StepInvalid(errors)
    return form


@dataclass(frozen=True)
class DraftSave:
    """What a save of several steps did: the registration as saved, the steps written, and the
    refused steps with every field error of each."""

    registration: Registration
    saved: tuple[Step, ...]
    errors: dict[Step, StepInvalid]


def _step_parse(step: Step | str) -> Step:
    try:
        return Step(step)
    except ValueError:
        raise NotFound(
            RegistryErrorCode.STEP_UNKNOWN, _("Langkah pendaftaran tidak dikenal.")
        ) from None


def _draft_save(
    *,
    actor: Actor,
    registration: Registration,
    steps: Mapping[Step, Mapping[str, Any]],
    locked_by_caller: bool = False,
) -> DraftSave:
    """Lock the draft once, check each step with its form (in wizard order), apply the valid
    ones and save them together: one UPDATE, one history row naming the steps."""
    # Locked, in the statement that checks the actor's scope: two tabs saving steps at once
    # must not overwrite each other's fields. A caller that already fetched it that way in
    # its own open transaction (the wizard's page, see ``registry.views.step_page``) hands it
    # over instead of having it read a second time.
    locked = (
        registration
        if locked_by_caller
        else registration_get_for_actor(
            actor=actor, reference=registration.reference, for_update=True
        )
    )
    require_editor_role(actor)
    if locked.status != Registration.Status.DRAFT:
        raise not_draft()
    previous_person_id = locked.person_id
    fields: dict[str, Any] = {}
    saved: list[Step] = []
    errors: dict[Step, StepInvalid] = {}
    new_person = False
    for step in sorted(steps, key=STEP_ORDER.index):
        # Checked after the steps before it are applied, as if they had been sent one by one.
        try:
            form = _step_form(step, locked, steps[step])
        except StepInvalid as error:
            errors[step] = error
            continue
        changes = _STEP_HANDLERS[step](locked, form)
        for name, value in changes.items():
            setattr(locked, name, value)
        fields.update(changes)
        new_person = new_person or getattr(changes, "new_person", False)
        saved.append(step)
    if not saved:
        return DraftSave(registration=locked, saved=(), errors=errors)
    audit_as(locked, actor=actor, reason="langkah " + ", ".join(step.value for step in saved))
    try:
        # Savepoint (identity only, where a person is set): the unique (programme, person)
        # index is the last word on "one NIK registers once" when two accounts save the same
        # NIK at the same moment. Not for a person this transaction has just created: no other
        # transaction can see it yet, let alone link it, so that index cannot refuse it.
        # The UPDATE and its history row in one statement (``core.rowsql``): what ``save``
        # and simple-history's ``post_save`` write, without building either query each time.
        contested = Step.IDENTITY in saved and not new_person
        with transaction.atomic() if contested else nullcontext():
            update_with_history(locked, [*fields, "updated_at"])
    except IntegrityError:
        if Step.IDENTITY in saved:
            raise nik_taken() from None
        raise
    if Step.IDENTITY in saved:
        person_given_up(actor, previous_person_id, kept=locked.person_id)
    return DraftSave(registration=locked, saved=tuple(saved), errors=errors)


@service_atomic
def registration_update_draft(
    *, actor: Actor, registration: Registration, step: Step | str, data: Mapping[str, Any]
) -> Registration:
    """Validate and save one step of a draft; returns the saved registration.

    Nothing is written unless the whole step is valid (``StepInvalid`` lists every field
    error). A NIK that already has a registration in the programme under another account
    raises ``registration.nik_taken`` with the way to recover that account.
    """
    step = _step_parse(step)
    result = _draft_save(actor=actor, registration=registration, steps={step: data})
    if step in result.errors:
        raise result.errors[step]
    return result.registration


@service_atomic
def registration_update_draft_steps(
    *,
    actor: Actor,
    registration: Registration,
    steps: Mapping[Step, Mapping[str, Any]],
    locked_by_caller: bool = False,
) -> DraftSave:
    """Validate and save the steps of one page of the wizard in one write.

    Each step is checked by its own form. The valid ones are saved together (one history row,
    reason "langkah contact, domicile"); the refused ones come back in ``errors``, each with
    every field error, and write nothing: what the person typed right on a page is kept even
    when another step of it is refused. ``registration.nik_taken`` is raised as by
    ``registration_update_draft`` (the identity step has a page of its own).

    ``locked_by_caller``: the caller fetched ``registration`` with
    ``registration_get_for_actor(…, for_update=True)`` in the transaction that is still open
    (the wizard's POST, inside its submission token's transaction), so it is not read again.
    """
    parsed = {_step_parse(step): data for step, data in steps.items()}
    return _draft_save(
        actor=actor, registration=registration, steps=parsed, locked_by_caller=locked_by_caller
    )


@service_atomic
def registration_update_draft_all(
    *,
    actor: Actor,
    reference: str,
    steps: Mapping[Step | str, Mapping[str, Any]],
    guard: Callable[[Registration], AbstractContextManager[None]] | None = None,
) -> Registration:
    """Validate and save several steps in one write, all or none (the API's grouped save).

    The registration is read once, locked, in the statement that checks the actor's scope
    (404 outside it). Each step is checked by its own form, in wizard order, as if sent one
    by one. If any step is refused nothing is written, and ``StepInvalid`` lists every field
    error of every refused step, each field named ``<step>.<field>`` (``contact.phone``).

    ``guard``: a context manager around the checks and the save, given the locked
    registration (the API's NIK throttle, ``registry.nik_guard``, which needs the request).
    """
    parsed = {_step_parse(step): data for step, data in steps.items()}
    registration = registration_get_for_actor(actor=actor, reference=reference, for_update=True)
    with guard(registration) if guard is not None else nullcontext():
        return _draft_save_all(actor=actor, registration=registration, steps=parsed)


def _draft_save_all(
    *, actor: Actor, registration: Registration, steps: Mapping[Step, Mapping[str, Any]]
) -> Registration:
    result = _draft_save(actor=actor, registration=registration, steps=steps, locked_by_caller=True)
    if result.errors:
        # Raised inside this transaction: the valid steps' writes are rolled back with it.
        raise StepInvalid(
            [
                ApplicationError(
                    error.code,
                    error.message,
                    field=f"{step.value}.{error.field}" if error.field else step.value,
                    status=error.status,
                )
                for step, refused in result.errors.items()
                for error in refused.errors
            ]
        )
    return result.registration
