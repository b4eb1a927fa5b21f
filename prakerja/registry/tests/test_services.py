from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError, NotFound, PermissionDenied
from prakerja.identity.models import Person
from prakerja.identity.tests.factories import fake_kk, fake_nik
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.errors import StepInvalid
from prakerja.registry.models import (
    Channel,
    ConsentText,
    EligibilityRule,
    FamilyCardCount,
    Programme,
    Registration,
    TestAnswer,
    TestQuestion,
)
from prakerja.registry.references import ALPHABET, reference_normalise
from prakerja.registry.selectors import (
    eligibility_evaluate,
    registration_get_for_actor,
    registration_missing_steps,
)
from prakerja.registry.services.draft import registration_update_draft
from prakerja.registry.services.programme import registry_seed_load
from prakerja.registry.services.registration import registration_nik_set, registration_start
from prakerja.registry.services.rules import eligibility_rule_update
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import STEP_ORDER, Step
from prakerja.registry.tests.conftest import (
    complete_registration,
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


# --- Seed -----------------------------------------------------------------------------------


def test_the_seed_creates_the_programme_rules_consent_and_questions_once(
    programme: Programme,
) -> None:
    again = registry_seed_load()
    call_command("registry_seed_load", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert again.rules_created == 0 and again.questions_created == 0
    assert Programme.objects.count() == 1
    rules = {rule.kind: rule for rule in programme.rules.all()}
    assert rules["min_age"].parameter == {"years": 18}
    assert rules["kk_cap"].parameter == {"max": 2}
    assert "none" not in rules["excluded_occupation"].parameter["occupations"]
    assert len(rules["excluded_occupation"].parameter["occupations"]) == 9
    assert ConsentText.objects.get().version == "v1"
    assert "27 Tahun 2022" in ConsentText.objects.get().consent_body
    kinds = list(TestQuestion.objects.values_list("kind", flat=True))
    assert kinds.count("motivation") == 3 and kinds.count("ability") == 3


def test_the_seed_never_overwrites_a_managers_change(programme: Programme, manager: User) -> None:
    rule = programme.rules.get(kind="min_age")
    eligibility_rule_update(
        actor=manager, rule=rule, parameter={"years": 21}, reason="Minimal 21.", is_active=True
    )
    registry_seed_load()
    rule.refresh_from_db()
    assert rule.parameter == {"years": 21}


# --- References -----------------------------------------------------------------------------


def test_a_started_registration_is_a_draft_with_a_readable_reference(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant, channel=Channel.ONLINE)

    assert registration.status == Registration.Status.DRAFT
    assert registration.channel == Channel.ONLINE
    prefix, first, second = registration.reference.split("-")
    assert prefix == "PJ" and len(first + second) == 8
    assert set(first + second) <= set(ALPHABET)
    assert not set("01OIL") & set(first + second)
    assert registration_missing_steps(registration) == STEP_ORDER


def test_starting_twice_continues_the_same_registration(applicant: User) -> None:
    first = registration_start(actor=applicant, user=applicant, channel=Channel.ONLINE)
    second = registration_start(actor=applicant, user=applicant, channel=Channel.ONLINE)
    assert first.pk == second.pk
    assert Registration.objects.count() == 1


def test_a_reference_read_over_the_phone_is_found_in_any_case_and_spacing() -> None:
    assert reference_normalise("pj 7k3m 9q2x") == "PJ-7K3M-9Q2X"
    assert reference_normalise("7K3M9Q2X") == "PJ-7K3M-9Q2X"
    assert reference_normalise("PJ-7K3M-9Q2O") is None  # O is not in the alphabet
    assert reference_normalise("x" * 500) is None
    assert reference_normalise("PJ-7K3M-9Q2\x00") is None


# --- Happy path -----------------------------------------------------------------------------


def _run_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the queued jobs with the real worker, in this process."""
    from django_tasks_db.management.commands import db_worker

    # The worker drops "old" connections between jobs; inside the test's transaction that
    # would close the very connection the test runs in (PostgreSQL), so keep it.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_complete_registration_is_submitted_with_a_receipt_sms(
    applicant: User, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    registration = complete_registration(applicant)
    assert registration_missing_steps(registration) == []

    with django_capture_on_commit_callbacks(execute=True):
        submitted = registration_submit(actor=applicant, registration=registration)

    assert submitted.status == Registration.Status.SUBMITTED
    assert submitted.ineligibility_reasons == []
    assert submitted.submitted_at is not None
    assert submitted.person is not None and submitted.person.nik == fake_nik(serial=1)
    assert submitted.kk_index == submitted.person.kk_index != ""
    assert str(submitted.phone) == "+6281234567890"
    assert submitted.consent_text is not None and submitted.consent_text.version == "v1"
    assert submitted.consent_at is not None and submitted.truthfulness_at is not None
    assert submitted.test_score == 3
    # The receipt is a background job: queued at commit, texted when a worker runs it.
    assert OutboxMessage.objects.count() == 0
    job = DBTaskResult.objects.get()
    assert job.task_path == "prakerja.registry.tasks.registration_receipt_send"
    _run_jobs(monkeypatch)
    sms = OutboxMessage.objects.get()
    assert sms.recipient == "+6281234567890"
    assert submitted.reference in sms.body
    # The history names the applicant on every write.
    assert {h.history_user_id for h in submitted.history.all()} == {applicant.pk}


def test_resubmitting_returns_the_registration_unchanged(applicant: User) -> None:
    registration = registration_submit(
        actor=applicant, registration=complete_registration(applicant)
    )
    again = registration_submit(actor=applicant, registration=registration)

    assert again.pk == registration.pk
    assert again.submitted_at == registration.submitted_at
    assert again.status == Registration.Status.SUBMITTED
    assert registration.history.count() == again.history.count()
    # Counted against its family card once.
    assert FamilyCardCount.objects.get(kk_index=registration.kk_index).submitted == 1


def test_a_submitted_registration_cannot_be_edited(applicant: User) -> None:
    registration = registration_submit(
        actor=applicant, registration=complete_registration(applicant)
    )
    with pytest.raises(ApplicationError) as exc:
        registration_update_draft(
            actor=applicant, registration=registration, step=Step.CONTACT, data={"phone": "0813"}
        )
    assert error_of(exc) == (
        "registration.not_draft",
        "Pendaftaran ini sudah dikirim dan tidak dapat diubah lagi.",
        None,
    )
    assert exc.value.status == 409


def test_an_incomplete_registration_cannot_be_submitted(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    registration = registration_update_draft(
        actor=applicant,
        registration=registration,
        step=Step.IDENTITY,
        data=step_data(registration.programme)[Step.IDENTITY],
    )
    with pytest.raises(ApplicationError) as exc:
        registration_submit(actor=applicant, registration=registration)
    assert exc.value.code == "registration.incomplete"
    assert str(exc.value.message) == (
        "Pendaftaran belum lengkap. Lengkapi dulu: Kontak, Domisili, Pekerjaan, "
        "Pendidikan dan disabilitas, Persetujuan, Tes pendaftaran."
    )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.DRAFT


# --- Bad input, step by step ----------------------------------------------------------------


def identity_with(programme: Programme, **values: str) -> dict[str, Any]:
    return {**step_data(programme)[Step.IDENTITY], **values}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"nik": "35780157"},
            ("nik.length", "NIK harus terdiri dari 16 angka, yang diisi 8 karakter.", "nik"),
        ),
        (
            {"nik": "3578015708900000"},
            ("nik.serial_zero", "Empat angka terakhir NIK tidak boleh 0000.", "nik"),
        ),
        (
            {"kk": "99780102011500O7"},
            ("kk.non_digit", "Nomor KK hanya boleh berisi angka 0–9.", "kk"),
        ),
        (
            {"kk": ""},
            ("registration.kk_required", "Nomor Kartu Keluarga (KK) wajib diisi.", "kk"),
        ),
        (
            {"birth_date": "31-02-1990"},
            (
                "registration.birth_date_invalid",
                "Tanggal lahir tidak valid. Tulis tanggal-bulan-tahun, misalnya 17-08-1990, "
                "atau pilih dari kalender.",
                "birth_date",
            ),
        ),
        (
            {"birth_date": "2999-01-01"},
            (
                "registration.birth_date_future",
                "Tanggal lahir tidak boleh di masa depan.",
                "birth_date",
            ),
        ),
        (
            {"full_name": "Siti\x00Rahayu"},
            (
                "registration.text_invalid",
                "Isian mengandung karakter yang tidak diizinkan.",
                "full_name",
            ),
        ),
        (
            {"full_name": "x" * 151},
            (
                "registration.too_long",
                "Isian terlalu panjang: paling banyak 150 karakter.",
                "full_name",
            ),
        ),
        (
            {"gender": "X"},
            ("registration.choice_invalid", "Pilihan tidak dikenal. Pilih dari daftar.", "gender"),
        ),
    ],
)
def test_bad_identity_input_is_refused_and_nothing_is_written(
    applicant: User, values: dict[str, str], expected: tuple[str, str, str]
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    persons = Person.objects.count()

    with pytest.raises(StepInvalid) as exc:
        registration_update_draft(
            actor=applicant,
            registration=registration,
            step=Step.IDENTITY,
            data=identity_with(registration.programme, **values),
        )

    assert error_of(exc) == expected  # type: ignore[arg-type]
    assert Person.objects.count() == persons
    registration.refresh_from_db()
    assert registration.person is None and registration.full_name == ""


def test_every_field_error_of_a_step_is_reported_at_once(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    with pytest.raises(StepInvalid) as exc:
        registration_update_draft(
            actor=applicant, registration=registration, step=Step.IDENTITY, data={}
        )
    assert set(exc.value.by_field()) == {
        "nik",
        "kk",
        "full_name",
        "birth_place",
        "birth_date",
        "gender",
    }
    assert exc.value.as_dict()["errors"][0]["code"] == "registration.nik_required"


def test_a_malformed_phone_is_refused(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    with pytest.raises(StepInvalid) as exc:
        registration_update_draft(
            actor=applicant, registration=registration, step=Step.CONTACT, data={"phone": "12ab"}
        )
    assert error_of(exc) == (  # type: ignore[arg-type]
        "phone.invalid",
        "Nomor HP tidak valid. Tulis nomor HP Anda, misalnya 0812 3456 7890.",
        "phone",
    )


def test_a_malformed_email_is_refused_but_no_email_is_fine(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    with pytest.raises(StepInvalid) as exc:
        registration_update_draft(
            actor=applicant,
            registration=registration,
            step=Step.CONTACT,
            data={"phone": "08123456789", "email": "siti@"},
        )
    assert exc.value.code == "registration.email_invalid"
    saved = registration_update_draft(
        actor=applicant, registration=registration, step=Step.CONTACT, data={"phone": "08123456789"}
    )
    assert saved.email == "" and Step.CONTACT not in registration_missing_steps(saved)


def test_a_district_outside_the_regency_is_refused(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    with pytest.raises(StepInvalid) as exc:
        registration_update_draft(
            actor=applicant,
            registration=registration,
            step=Step.DOMICILE,
            # 357301 is in Kota Malang, not Kota Surabaya.
            data={"regency": "3578", "district": "357301", "address": "Jl. Mawar 1"},
        )
    assert error_of(exc) == (  # type: ignore[arg-type]
        "registration.district_mismatch",
        "Kecamatan yang dipilih tidak berada di kabupaten/kota tersebut. Pilih lagi.",
        "district",
    )


def test_a_domicile_outside_east_java_is_accepted(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    saved = registration_update_draft(
        actor=applicant,
        registration=registration,
        step=Step.DOMICILE,
        data={"regency": "3171", "district": "317101", "address": "Jl. Melati 2"},
    )
    assert saved.domicile_district_id == "317101"


def test_a_migrant_worker_must_give_the_sub_reason(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    data = {"employment_status": "migrant_worker", "occupation": "none"}
    with pytest.raises(StepInvalid) as exc:
        registration_update_draft(
            actor=applicant, registration=registration, step=Step.WORK, data=data
        )
    assert error_of(exc) == (  # type: ignore[arg-type]
        "registration.migrant_reason_required",
        "Untuk pekerja migran (PMI), pilih keterangannya: kontrak selesai, bermasalah, "
        "atau gagal berangkat.",
        "migrant_reason",
    )
    saved = registration_update_draft(
        actor=applicant,
        registration=registration,
        step=Step.WORK,
        data={**data, "migrant_reason": "failed_to_depart"},
    )
    assert saved.migrant_reason == "failed_to_depart"
    # Another status drops a sub-reason left selected in the form.
    saved = registration_update_draft(
        actor=applicant,
        registration=saved,
        step=Step.WORK,
        data={
            "employment_status": "job_seeker",
            "occupation": "none",
            "migrant_reason": "in_trouble",
        },
    )
    assert saved.migrant_reason == ""


def test_missing_consent_is_refused(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    with pytest.raises(StepInvalid) as exc:
        registration_update_draft(
            actor=applicant,
            registration=registration,
            step=Step.CONSENT,
            data={"truthfulness": "on"},
        )
    assert error_of(exc) == (  # type: ignore[arg-type]
        "registration.consent_required",
        "Anda harus menyetujui pemrosesan data pribadi (UU PDP) untuk melanjutkan pendaftaran.",
        "consent",
    )
    registration.refresh_from_db()
    assert registration.consent_at is None and registration.truthfulness_at is None


def test_test_answers_are_saved_and_the_step_completes_when_all_are_answered(
    applicant: User, programme: Programme
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    questions = list(TestQuestion.objects.filter(programme=programme))
    first = registration_update_draft(
        actor=applicant,
        registration=registration,
        step=Step.TEST,
        data={"answers": {str(questions[0].pk): "1"}},
    )
    assert Step.TEST in registration_missing_steps(first)
    assert TestAnswer.objects.filter(registration=registration).count() == 1

    with pytest.raises(StepInvalid) as exc:
        registration_update_draft(
            actor=applicant,
            registration=first,
            step=Step.TEST,
            data={"answers": {str(questions[1].pk): "9"}},
        )
    assert exc.value.code == "registration.test_choice_invalid"
    assert str(exc.value.message) == "Pilih salah satu jawaban yang tersedia."

    done = registration_update_draft(
        actor=applicant,
        registration=first,
        step=Step.TEST,
        data={"answers": {str(q.pk): 0 for q in questions[1:]}},
    )
    assert Step.TEST not in registration_missing_steps(done)
    # Ability answers all 0: only the question whose right answer is 0 counts.
    assert done.test_score == 1


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
    monkeypatch.setattr(selectors, "RULES_CACHE_SECONDS", 0.0)
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
