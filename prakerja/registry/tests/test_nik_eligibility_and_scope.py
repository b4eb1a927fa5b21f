"""Registration services: duplicate NIKs and NIK warnings, eligibility rules, acting on
someone's behalf, and scope."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError, NotFound, PermissionDenied
from prakerja.identity.models import Person
from prakerja.identity.tests.factories import fake_kk, fake_nik
from prakerja.registry.errors import StepInvalid
from prakerja.registry.models import (
    Channel,
    EligibilityRule,
    FamilyCardCount,
    Programme,
    Registration,
    TestQuestion,
)
from prakerja.registry.selectors import (
    eligibility_evaluate,
    registration_get_for_actor,
    registration_missing_steps,
)
from prakerja.registry.services.draft import registration_update_draft
from prakerja.registry.services.registration import registration_nik_set, registration_start
from prakerja.registry.services.rules import eligibility_rule_update
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import Step
from prakerja.registry.tests.conftest import (
    complete_registration,
    identity_with,
    new_applicant,
    step_data,
)

pytestmark = pytest.mark.django_db


def years_ago(years: int) -> date:
    today = date.today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def error_of(exc: pytest.ExceptionInfo[ApplicationError]) -> tuple[str, str, str | None]:
    return exc.value.code, str(exc.value.message), exc.value.field


# --- Duplicate NIK --------------------------------------------------------------------------


def test_a_nik_registered_by_another_account_is_refused_with_recovery(applicant: User) -> None:
    registration_submit(actor=applicant, registration=complete_registration(applicant))
    other = new_applicant()
    draft = registration_start(actor=other, user=other)
    counts = (Person.objects.count(), Registration.objects.count())

    with pytest.raises(ApplicationError) as exc:
        registration_update_draft(
            actor=other,
            registration=draft,
            step=Step.IDENTITY,
            data=step_data(draft.programme)[Step.IDENTITY],
        )

    assert error_of(exc) == (
        "registration.nik_taken",
        "NIK ini sudah terdaftar dengan akun lain. Satu NIK hanya dapat mendaftar satu kali. "
        "Bila itu akun Anda, masuk kembali dengan nomor HP yang dipakai saat mendaftar (kode "
        "masuk dikirim lewat SMS), atau hubungi call center 031-8293097 / 031-8280254 untuk "
        "memulihkan akun.",
        "nik",
    )
    assert exc.value.status == 409
    assert (Person.objects.count(), Registration.objects.count()) == counts
    draft.refresh_from_db()
    assert draft.person is None and draft.full_name == "" and draft.kk_index == ""


def test_saving_your_own_nik_again_is_fine(applicant: User) -> None:
    registration = complete_registration(applicant)
    again = registration_update_draft(
        actor=applicant,
        registration=registration,
        step=Step.IDENTITY,
        data=step_data(registration.programme)[Step.IDENTITY],
    )
    assert again.person_id == registration.person_id


# --- NIK warnings ---------------------------------------------------------------------------


def test_a_birth_date_and_gender_differing_from_the_nik_are_stored_as_warnings(
    applicant: User,
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    saved = registration_update_draft(
        actor=applicant,
        registration=registration,
        step=Step.IDENTITY,
        data=identity_with(registration.programme, birth_date="1990-08-18", gender="L"),
    )
    assert [w["code"] for w in saved.nik_warnings] == [
        "nik.birth_date_mismatch",
        "nik.gender_mismatch",
    ]
    assert saved.nik_warnings[0]["message"] == (
        "Tanggal lahir yang diisi berbeda dengan tanggal lahir dalam NIK. Periksa kembali keduanya."
    )
    assert Step.IDENTITY not in registration_missing_steps(saved)


# --- Eligibility ----------------------------------------------------------------------------


def test_a_17_year_old_is_ineligible_with_the_reason(applicant: User) -> None:
    birth = years_ago(17)
    registration = complete_registration(
        applicant,
        overrides={
            Step.IDENTITY: {
                "nik": fake_nik(birth_date=birth),
                "birth_date": birth.isoformat(),
            }
        },
    )
    submitted = registration_submit(actor=applicant, registration=registration)

    assert submitted.status == Registration.Status.INELIGIBLE
    assert submitted.ineligibility_reasons == [
        {
            "code": "eligibility.min_age",
            "message": "Usia Anda belum 18 tahun pada tanggal pendaftaran.",
        }
    ]
    assert submitted.submitted_at is not None


def test_someone_turning_18_on_the_submission_day_is_eligible(applicant: User) -> None:
    birth = years_ago(18)
    registration = complete_registration(
        applicant,
        overrides={
            Step.IDENTITY: {"nik": fake_nik(birth_date=birth), "birth_date": birth.isoformat()}
        },
    )
    assert registration_submit(actor=applicant, registration=registration).status == "submitted"


def test_a_student_is_ineligible_with_the_reason(applicant: User) -> None:
    registration = complete_registration(
        applicant, overrides={Step.EDUCATION_DISABILITY: {"not_in_education": "no"}}
    )
    submitted = registration_submit(actor=applicant, registration=registration)
    assert submitted.status == Registration.Status.INELIGIBLE
    assert submitted.ineligibility_reasons == [
        {
            "code": "eligibility.not_in_education",
            "message": "Anda sedang menempuh pendidikan formal (sekolah atau kuliah).",
        }
    ]


def test_an_excluded_occupation_is_ineligible_with_the_reason(applicant: User) -> None:
    registration = complete_registration(applicant, overrides={Step.WORK: {"occupation": "asn"}})
    submitted = registration_submit(actor=applicant, registration=registration)
    assert submitted.status == Registration.Status.INELIGIBLE
    assert submitted.ineligibility_reasons == [
        {
            "code": "eligibility.excluded_occupation",
            "message": "Jabatan Anda (ASN, TNI, Polri, kepala atau perangkat desa, anggota "
            "DPR/DPRD, direksi atau komisaris BUMN/BUMD) tidak dapat mengikuti program ini.",
        }
    ]


def test_a_third_person_on_one_family_card_is_ineligible() -> None:
    for serial in (1, 2):
        user = new_applicant()
        done = registration_submit(
            actor=user, registration=complete_registration(user, serial=serial)
        )
        assert done.status == Registration.Status.SUBMITTED
    third = new_applicant()
    submitted = registration_submit(
        actor=third, registration=complete_registration(third, serial=3)
    )

    assert submitted.status == Registration.Status.INELIGIBLE
    assert submitted.ineligibility_reasons == [
        {
            "code": "eligibility.kk_cap",
            "message": "Sudah ada 2 anggota keluarga dalam Kartu Keluarga yang sama yang "
            "terdaftar (batas per Kartu Keluarga).",
        }
    ]
    # A different family card is not affected.
    fourth = new_applicant()
    other_kk = complete_registration(fourth, serial=4, kk_serial=8)
    assert registration_submit(actor=fourth, registration=other_kk).status == "submitted"


def test_an_ineligible_member_does_not_use_up_the_family_cards_places() -> None:
    student = new_applicant()
    registration_submit(
        actor=student,
        registration=complete_registration(
            student, serial=1, overrides={Step.EDUCATION_DISABILITY: {"not_in_education": "no"}}
        ),
    )
    for serial in (2, 3):
        user = new_applicant()
        done = registration_submit(
            actor=user, registration=complete_registration(user, serial=serial)
        )
        assert done.status == Registration.Status.SUBMITTED


def _rule_switch(programme: Programme, kind: str, *, is_active: bool) -> None:
    # A model save, as the rules page and the admin do: it clears the cached rules.
    rule = EligibilityRule.objects.get(programme=programme, kind=kind)
    rule.is_active = is_active
    rule.save()


def test_a_rule_changed_elsewhere_applies_once_the_cached_rules_expire(
    applicant: User, programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prakerja.registry import selectors

    student = complete_registration(
        applicant, overrides={Step.EDUCATION_DISABILITY: {"not_in_education": "no"}}
    )
    assert [r.code for r in eligibility_evaluate(student)] == ["eligibility.not_in_education"]
    # Another process switches the rule off: no signal reaches this one, the cache still holds.
    EligibilityRule.objects.filter(programme=programme, kind="not_in_education").update(
        is_active=False
    )
    assert [r.code for r in eligibility_evaluate(student)] == ["eligibility.not_in_education"]
    monkeypatch.setattr(selectors.rules_cache, "ttl", 0.0)
    assert eligibility_evaluate(student) == []


def test_a_rule_saved_in_this_process_applies_at_once(
    applicant: User, programme: Programme
) -> None:
    student = complete_registration(
        applicant, overrides={Step.EDUCATION_DISABILITY: {"not_in_education": "no"}}
    )
    assert [r.code for r in eligibility_evaluate(student)] == ["eligibility.not_in_education"]
    _rule_switch(programme, "not_in_education", is_active=False)
    assert eligibility_evaluate(student) == []


def test_submissions_are_counted_per_family_card_while_the_cap_rule_is_off(
    programme: Programme,
) -> None:
    _rule_switch(programme, "kk_cap", is_active=False)
    for serial in (1, 2, 3):
        user = new_applicant()
        done = registration_submit(
            actor=user, registration=complete_registration(user, serial=serial)
        )
        assert done.status == Registration.Status.SUBMITTED
    # Switched back on, the rule finds the true count: a fourth member is over the cap of 2.
    _rule_switch(programme, "kk_cap", is_active=True)
    assert FamilyCardCount.objects.get().submitted == 3
    fourth = new_applicant()
    late = registration_submit(actor=fourth, registration=complete_registration(fourth, serial=4))
    assert [reason["code"] for reason in late.ineligibility_reasons] == ["eligibility.kk_cap"]


def test_the_migration_fills_the_counters_from_the_submitted_registrations(
    programme: Programme,
) -> None:
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    for serial, kk_serial in ((1, 7), (2, 7), (3, 8)):
        user = new_applicant()
        registration_submit(
            actor=user,
            registration=complete_registration(user, serial=serial, kk_serial=kk_serial),
        )
    drafted = complete_registration(new_applicant(), serial=4, kk_serial=9)
    expected = dict(FamilyCardCount.objects.values_list("kk_index", "submitted"))
    FamilyCardCount.objects.all().delete()

    fill = importlib.import_module("prakerja.registry.migrations.0004_family_card_count_fill").fill
    fill(apps, SimpleNamespace(connection=connection))

    assert dict(FamilyCardCount.objects.values_list("kk_index", "submitted")) == expected
    assert sorted(expected.values()) == [1, 2]
    assert drafted.kk_index not in expected


def test_every_failed_rule_is_listed(applicant: User) -> None:
    registration = complete_registration(
        applicant,
        overrides={
            Step.WORK: {"occupation": "tni"},
            Step.EDUCATION_DISABILITY: {"not_in_education": "false"},
        },
    )
    assert [reason.code for reason in eligibility_evaluate(registration)] == [
        "eligibility.not_in_education",
        "eligibility.excluded_occupation",
    ]


def test_the_test_score_never_affects_eligibility(applicant: User, programme: Programme) -> None:
    wrong = {
        str(q.pk): ((q.correct_choice or 0) + 1) % len(q.choices)
        for q in TestQuestion.objects.filter(programme=programme)
    }
    low = complete_registration(applicant, overrides={Step.TEST: {"answers": wrong}})
    assert low.test_score == 0
    assert eligibility_evaluate(low) == []
    assert registration_submit(actor=applicant, registration=low).status == "submitted"

    # And a perfect score does not rescue an ineligible applicant.
    student = new_applicant()
    high = complete_registration(
        student, serial=2, overrides={Step.EDUCATION_DISABILITY: {"not_in_education": "no"}}
    )
    assert high.test_score == 3
    assert registration_submit(actor=student, registration=high).status == "ineligible"


def test_an_inactive_rule_is_not_applied(applicant: User, programme: Programme) -> None:
    EligibilityRule.objects.filter(programme=programme, kind="not_in_education").update(
        is_active=False
    )
    registration = complete_registration(
        applicant, overrides={Step.EDUCATION_DISABILITY: {"not_in_education": "no"}}
    )
    assert eligibility_evaluate(registration) == []


def test_a_manager_changes_a_rules_parameter_and_reason(
    manager: User, officer: User, programme: Programme
) -> None:
    rule = programme.rules.get(kind="kk_cap")
    with pytest.raises(PermissionDenied):
        eligibility_rule_update(
            actor=officer, rule=rule, parameter={"max": 3}, reason="x", is_active=True
        )
    with pytest.raises(StepInvalid) as exc:
        eligibility_rule_update(
            actor=manager, rule=rule, parameter={"max": "banyak"}, reason="x", is_active=True
        )
    assert str(exc.value.message) == "Isi angka antara 1 dan 50."
    updated = eligibility_rule_update(
        actor=manager, rule=rule, parameter={"max": "3"}, reason="Maks. 3 per KK.", is_active=True
    )
    assert updated.parameter == {"max": 3}
    assert updated.history.first().history_user == manager  # type: ignore[union-attr]


# --- Acting on someone's behalf, and scope --------------------------------------------------


def test_an_officer_registers_someone_at_their_post(officer: User) -> None:
    user = new_applicant()
    registration = registration_start(actor=officer, user=user, channel=Channel.POST)
    assert registration.channel == Channel.POST
    assert registration.assisted_post == officer.post
    assert registration.assisted_by == officer
    assert registration.user == user

    registration = complete_registration(user, actor=officer)
    submitted = registration_submit(actor=officer, registration=registration)
    assert submitted.status == Registration.Status.SUBMITTED
    assert submitted.user == user
    assert submitted.history.first().history_user == officer  # type: ignore[union-attr]


def test_an_officer_takes_over_a_draft_begun_online(officer: User, applicant: User) -> None:
    online = registration_start(actor=applicant, user=applicant)
    taken = registration_start(actor=officer, user=applicant, channel=Channel.POST)
    assert taken.pk == online.pk
    assert taken.assisted_post == officer.post
    assert registration_get_for_actor(actor=officer, reference=taken.reference) == taken


def test_an_officer_cannot_register_for_another_post(officer: User, malang_post: Any) -> None:
    with pytest.raises(PermissionDenied) as exc:
        registration_start(actor=officer, user=new_applicant(), channel="post", post=malang_post)
    assert exc.value.code == "registration.post_forbidden"


def test_an_applicant_cannot_start_a_registration_for_someone_else(applicant: User) -> None:
    with pytest.raises(PermissionDenied):
        registration_start(actor=applicant, user=new_applicant())


def test_staff_cannot_be_registered_as_applicants(officer: User, manager: User) -> None:
    with pytest.raises(ApplicationError) as exc:
        registration_start(actor=officer, user=manager)
    assert exc.value.code == "registration.user_not_applicant"


def test_who_sees_a_registration(
    applicant: User,
    officer: User,
    other_officer: User,
    callcentre_agent: User,
    manager: User,
    superadmin: User,
    province_data_officer: User,
    viewer: User,
) -> None:
    registration = registration_start(actor=officer, user=applicant, channel=Channel.POST)
    reference = registration.reference

    for actor in (applicant, officer, callcentre_agent, manager, superadmin):
        assert registration_get_for_actor(actor=actor, reference=reference) == registration
    assert registration_get_for_actor(actor=applicant, reference=reference.lower()) == registration
    for actor in (other_officer, new_applicant(), province_data_officer, viewer):
        with pytest.raises(PermissionDenied):
            registration_get_for_actor(actor=actor, reference=reference)
    with pytest.raises(NotFound) as exc:
        registration_get_for_actor(actor=manager, reference="PJ-2222-2222")
    assert str(exc.value.message) == "Pendaftaran dengan nomor ini tidak ditemukan."


def test_a_manager_reads_but_does_not_fill_in(applicant: User, manager: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    with pytest.raises(PermissionDenied):
        registration_update_draft(
            actor=manager, registration=registration, step=Step.CONTACT, data={"phone": "0812"}
        )


def test_an_officer_of_another_post_cannot_fill_in(
    applicant: User, officer: User, other_officer: User
) -> None:
    registration = registration_start(actor=officer, user=applicant, channel=Channel.POST)
    with pytest.raises(PermissionDenied):
        registration_update_draft(
            actor=other_officer,
            registration=registration,
            step=Step.CONTACT,
            data={"phone": "081234567890"},
        )


def test_kk_fixture_is_a_fake_number() -> None:
    # Guard: the fixtures build numbers, never carry a real one.
    assert fake_kk(serial=7) == "3578010201150007"


def test_an_empty_nik_and_kk_keep_the_stored_numbers(applicant: User) -> None:
    registration = complete_registration(applicant)
    person = registration.person
    data = {**step_data(registration.programme)[Step.IDENTITY], "nik": "", "kk": ""}
    saved = registration_update_draft(
        actor=applicant, registration=registration, step=Step.IDENTITY, data=data
    )
    assert saved.person == person and saved.kk_index == registration.kk_index


def test_a_nik_recorded_before_the_identity_step_is_refused_when_another_registration_has_it(
    officer: User,
) -> None:
    taken = complete_registration(new_applicant(), serial=41)
    draft = registration_start(actor=officer, user=new_applicant(), channel="post")
    with pytest.raises(ApplicationError) as exc:
        registration_nik_set(actor=officer, registration=draft, nik=fake_nik(serial=41))
    assert exc.value.code == "registration.nik_taken"
    draft.refresh_from_db()
    assert draft.person_id is None and taken.person_id is not None


def test_a_nik_is_not_recorded_on_a_submitted_registration(applicant: User) -> None:
    submitted = registration_submit(actor=applicant, registration=complete_registration(applicant))
    with pytest.raises(ApplicationError) as exc:
        registration_nik_set(actor=applicant, registration=submitted, nik=fake_nik(serial=42))
    assert exc.value.code == "registration.not_draft"
