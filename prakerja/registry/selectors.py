"""Reads of the registry. ``registration_get_for_actor`` fetches *and* checks scope."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.core.errors import NotFound, PermissionDenied
from prakerja.core.processcache import ProcessCache
from prakerja.core.rowsql import RowLoader
from prakerja.regions.selectors import district_get, regency_get
from prakerja.registry.eligibility import (
    Reason,
    family_card_place,
    int_parameter,
    kk_cap_reason,
    kk_cap_rule,
    reasons_except_kk_cap,
)
from prakerja.registry.errors import RegistryErrorCode
from prakerja.registry.models import (
    ConsentText,
    EligibilityRule,
    EmploymentStatus,
    Programme,
    Registration,
    TestAnswer,
    TestQuestion,
)
from prakerja.registry.references import reference_normalise
from prakerja.registry.steps import STEP_ORDER, Step

# Roles that may open any registration of the province: the call centre confirms status for
# whoever calls, the manager and the superadmin oversee the programme.
_ALL_REGISTRATIONS_ROLES = frozenset({Role.CALLCENTRE, Role.MANAGER, Role.SUPERADMIN})
_READ_ROLES = _ALL_REGISTRATIONS_ROLES | {Role.APPLICANT, Role.OFFICER}


def _denied() -> PermissionDenied:
    return PermissionDenied(
        RegistryErrorCode.FORBIDDEN, _("Anda tidak berhak mengakses pendaftaran ini.")
    )


def _not_found() -> NotFound:
    return NotFound(RegistryErrorCode.NOT_FOUND, _("Pendaftaran dengan nomor ini tidak ditemukan."))


def registration_list_for_actor(*, actor: Actor | None) -> QuerySet[Registration]:
    """Registrations the actor may see: an applicant their own, an officer those assisted at
    their post, the call centre, the manager and the superadmin all of them."""
    role = actor_role(actor)
    if role == Role.APPLICANT:
        assert isinstance(actor, User)
        return Registration.objects.filter(user=actor)
    if role == Role.OFFICER:
        assert isinstance(actor, User)
        return Registration.objects.filter(assisted_post_id=actor.post_id)
    if role in _ALL_REGISTRATIONS_ROLES:
        return Registration.objects.all()
    raise _denied()


def registration_get_for_actor(
    *, actor: Actor | None, reference: str, for_update: bool = False
) -> Registration:
    """The registration with this reference if the actor may see it.

    Same semantics as ``accounts.scopes``: a role without access gets ``PermissionDenied``
    before any lookup; a reference outside the actor's scope ``PermissionDenied``; an unknown
    (or malformed) reference ``NotFound``.

    One statement, the person joined (for the masked NIK); the programme comes from this
    process's copy. ``for_update`` (inside a transaction) locks the registration row in the
    same statement that checks the scope, so a write service fetches it once.
    """
    normalised = reference_normalise(reference)
    if normalised is None:
        if actor_role(actor) not in _READ_ROLES:
            raise _denied()
        raise _not_found()
    found = _registration_load(actor=actor, reference=normalised, for_update=for_update)
    if found is not None:
        return registration_programme_attach(found)
    if Registration.objects.filter(reference=normalised).exists():
        raise _denied()
    raise _not_found()


def registration_programme_attach(registration: Registration) -> Registration:
    """``registration.programme`` and its domicile's regency and district from this process's
    copies (no query, no join)."""
    programme = programme_by_id(registration.programme_id)
    if programme is not None:
        registration.programme = programme
    if registration.domicile_regency_id:
        regency = regency_get(registration.domicile_regency_id)
        if regency is not None:
            registration.domicile_regency = regency
    if registration.domicile_district_id:
        district = district_get(registration.domicile_district_id)
        if district is not None:
            registration.domicile_district = district
    return registration


_registration_loader = RowLoader(Registration, related="person")


def _registration_load(
    *, actor: Actor | None, reference: str, for_update: bool
) -> Registration | None:
    """The registration with its person; None when not in the actor's scope. ``for_update``
    locks the registration row (only it: the person is on the nullable side of the join).

    What ``registration_list_for_actor(…).select_related("person")(.select_for_update(
    of=("self",))).get(reference=…)`` does, as one hand-written statement: every wizard page
    and every final submission of a registration surge runs it (``core.rowsql``)."""
    role = actor_role(actor)
    where = "r.reference = %s"
    params: list[str | int | None] = [reference]
    if role == Role.APPLICANT:
        assert isinstance(actor, User)
        where, params = "r.reference = %s AND r.user_id = %s", [reference, actor.pk]
    elif role == Role.OFFICER:
        assert isinstance(actor, User)
        where, params = "r.reference = %s AND r.assisted_post_id = %s", [reference, actor.post_id]
    elif role not in _ALL_REGISTRATIONS_ROLES:
        raise _denied()
    sql = _registration_loader.select("r", where, related_alias="p", for_update=for_update)
    return _registration_loader.first(sql, params)  # type: ignore[return-value]


# --- Reference data, kept per process (core.processcache) ------------------------------------

# Every submission reads the active rules and every wizard page the programme, its consent text
# or its questions; they change a few times per programme. A change saved here (the rules page,
# the admin: a model save) clears this process's copy at once through the post_save signal
# (``registry.apps``); other processes pick it up within ``REFERENCE_CACHE_SECONDS``.
REFERENCE_CACHE_SECONDS = 5.0
_RULE_ORDER = list(EligibilityRule.Kind)
rules_cache: ProcessCache[tuple[EligibilityRule, ...]] = ProcessCache(
    "eligibility rules", ttl=REFERENCE_CACHE_SECONDS
)
programmes_cache: ProcessCache[Programme | None] = ProcessCache(
    "programmes", ttl=REFERENCE_CACHE_SECONDS
)
consent_texts_cache: ProcessCache[ConsentText | None] = ProcessCache(
    "consent texts", ttl=REFERENCE_CACHE_SECONDS
)
questions_cache: ProcessCache[tuple[TestQuestion, ...]] = ProcessCache(
    "test questions", ttl=REFERENCE_CACHE_SECONDS
)


def eligibility_rules_active(*, programme_id: int) -> tuple[EligibilityRule, ...]:
    """The programme's active rules in evaluation order (read-only: shared between threads)."""
    return rules_cache.get(
        programme_id,
        lambda: tuple(
            sorted(
                EligibilityRule.objects.filter(programme_id=programme_id, is_active=True),
                key=lambda rule: _RULE_ORDER.index(EligibilityRule.Kind(rule.kind)),
            )
        ),
    )


def programme_by_id(programme_id: int) -> Programme | None:
    """The programme (read-only: shared between threads)."""
    return programmes_cache.get(
        ("id", programme_id), lambda: Programme.objects.filter(pk=programme_id).first()
    )


def programme_by_code(code: str) -> Programme | None:
    programme = programmes_cache.get(
        ("code", code), lambda: Programme.objects.filter(code=code).first()
    )
    if programme is None:
        # Not there yet (a fresh database before its seed): ask again next time.
        programmes_cache.discard(("code", code))
    return programme


_registration_row = RowLoader(Registration)


def registration_of_user(
    *, user_id: int, programme_id: int, for_update: bool = False
) -> Registration | None:
    """The user's registration in the programme (one at most: they are unique together), as
    ``Registration.objects.filter(user=…, programme=…)(.select_for_update()).first()``, in one
    hand-written statement: the start page and the start of every registration read it
    (``core.rowsql``)."""
    sql = _registration_row.select(
        "r",
        "r.user_id = %s AND r.programme_id = %s",
        order="r.created_at DESC",
        limit=1,
        for_update=for_update,
    )
    return _registration_row.first(sql, [user_id, programme_id])  # type: ignore[return-value]


def registration_for_user(*, user: User, programme: Programme) -> Registration | None:
    return registration_of_user(user_id=user.pk, programme_id=programme.pk)


def consent_text_current() -> ConsentText | None:
    """The latest consent text (read-only: shared between threads)."""
    return consent_texts_cache.get(
        "current", lambda: ConsentText.objects.order_by("-published_at", "-pk").first()
    )


def consent_text_by_version(version: str) -> ConsentText | None:
    return consent_texts_cache.get(
        ("version", version), lambda: ConsentText.objects.filter(version=version).first()
    )


def consent_text_by_id(consent_text_id: int) -> ConsentText | None:
    return consent_texts_cache.get(
        ("id", consent_text_id), lambda: ConsentText.objects.filter(pk=consent_text_id).first()
    )


def test_questions_active(*, programme: Programme) -> tuple[TestQuestion, ...]:
    """The programme's active questions in order (read-only: shared between threads)."""
    return questions_cache.get(
        programme.pk,
        lambda: tuple(
            TestQuestion.objects.filter(programme=programme, is_active=True).order_by("order", "pk")
        ),
    )


def test_answers_of(*, registration: Registration) -> dict[int, int]:
    """``{question_id: choice}`` of the answers given so far."""
    # One hand-written statement (``core.rowsql``): the test page and check answers read it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT question_id, choice FROM {TestAnswer._meta.db_table} "  # noqa: S608
            "WHERE registration_id = %s",
            [registration.pk],
        )
        return {int(question): int(choice) for question, choice in cursor.fetchall()}


def _step_complete(registration: Registration, step: Step) -> bool:
    r = registration
    if step == Step.IDENTITY:
        return bool(
            r.person_id and r.kk_index and r.full_name and r.birth_place and r.birth_date
        ) and bool(r.gender)
    if step == Step.CONTACT:
        return bool(r.phone) or r.phone_owner == Registration.PhoneOwner.NONE
    if step == Step.DOMICILE:
        return bool(r.domicile_regency_id and r.domicile_district_id and r.address)
    if step == Step.WORK:
        if not (r.employment_status and r.occupation):
            return False
        return r.employment_status != EmploymentStatus.MIGRANT_WORKER or bool(r.migrant_reason)
    if step == Step.EDUCATION_DISABILITY:
        return r.not_in_education is not None
    if step == Step.CONSENT:
        return bool(r.consent_text_id and r.consent_at and r.truthfulness_at)
    if step == Step.TEST:
        return r.test_completed_at is not None
    raise AssertionError(step)


def registration_missing_steps(registration: Registration) -> list[Step]:
    """The steps still to fill in, in wizard order (empty: ready to submit)."""
    return [step for step in STEP_ORDER if not _step_complete(registration, step)]


def eligibility_evaluate(registration: Registration, *, on: date | None = None) -> list[Reason]:
    """The reasons this registration is not eligible under its programme's active rules
    (empty: eligible). Age is taken on ``on`` (default today: the submission date).

    Reads the test score nowhere: the test is a completeness step, never a criterion.
    A read (a preview): the KK cap is only taken, race-free, by ``registration_submit``.
    """
    today = on or timezone.localdate()
    rules = eligibility_rules_active(programme_id=registration.programme_id)
    reasons = reasons_except_kk_cap(registration, rules, today)
    kk_rule = kk_cap_rule(rules)
    if (
        kk_rule is not None
        and registration.kk_index
        and not family_card_place(
            programme_id=registration.programme_id,
            kk_index=registration.kk_index,
            cap=int_parameter(kk_rule, "max", 2),
            take=False,
        )
    ):
        reasons.append(kk_cap_reason(kk_rule))
    return reasons
