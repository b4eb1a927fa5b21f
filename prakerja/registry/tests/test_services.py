"""Registration services: seed, references, the happy path, bad input step by step."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from prakerja.accounts.models import User
from prakerja.core.errors import ApplicationError
from prakerja.identity.models import Person
from prakerja.identity.tests.factories import fake_nik
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.errors import StepInvalid
from prakerja.registry.models import (
    Channel,
    ConsentText,
    FamilyCardCount,
    Programme,
    Registration,
    TestAnswer,
    TestQuestion,
)
from prakerja.registry.references import ALPHABET, reference_normalise
from prakerja.registry.selectors import (
    registration_missing_steps,
)
from prakerja.registry.services.draft import (
    registration_update_draft,
    registration_update_draft_steps,
)
from prakerja.registry.services.programme import registry_seed_load
from prakerja.registry.services.registration import (
    registration_get_or_start,
    registration_start,
)
from prakerja.registry.services.rules import eligibility_rule_update
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import STEP_ORDER, Step
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
    assert ConsentText.objects.get().version == "v2"
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


def test_an_applicant_starting_their_own_is_one_insert_without_a_look_up_first(
    applicant: User,
) -> None:
    """The new row and its history row are written at once (one statement on PostgreSQL,
    two on SQLite), with no read of the account's registrations before."""
    with CaptureQueriesContext(connection) as queries:
        registration, created = registration_get_or_start(actor=applicant, user=applicant)
    assert created
    statements = [
        q["sql"] for q in queries.captured_queries if '"registry_registration"' in q["sql"]
    ]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2), statements
    assert "INSERT" in statements[0] and '"registry_registration"' in statements[0]
    assert list(registration.history.values_list("history_type", "history_change_reason")) == [
        ("+", "pendaftaran dimulai")
    ]
    # Again: the insert finds the account's row and writes nothing; the row comes back.
    again, created = registration_get_or_start(actor=applicant, user=applicant)
    assert not created and again.pk == registration.pk
    assert registration.history.count() == 1
    assert Registration.objects.filter(user=applicant).count() == 1


def test_a_reference_already_taken_is_drawn_again_on_the_first_start(
    applicant: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = new_applicant()
    taken = registration_start(actor=other, user=other)
    draws = iter([taken.reference, "PJ-2345-6789"])
    monkeypatch.setattr(
        "prakerja.registry.services.registration.reference_generate", lambda: next(draws)
    )
    registration, created = registration_get_or_start(actor=applicant, user=applicant)
    assert created and registration.reference == "PJ-2345-6789"
    assert registration.user_id == applicant.pk


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
    assert submitted.consent_text is not None and submitted.consent_text.version == "v2"
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
                "Tanggal lahir harus berupa tanggal yang benar.",
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


def test_the_steps_of_a_page_are_saved_together_and_a_refused_one_writes_nothing(
    applicant: User,
) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    data = step_data(registration.programme)
    rows_before = registration.history.count()

    result = registration_update_draft_steps(
        actor=applicant,
        registration=registration,
        steps={
            Step.EDUCATION_DISABILITY: data[Step.EDUCATION_DISABILITY],
            Step.WORK: {**data[Step.WORK], "occupation": ""},
            Step.CONTACT: data[Step.CONTACT],
        },
    )

    assert result.saved == (Step.CONTACT, Step.EDUCATION_DISABILITY)  # in wizard order
    assert set(result.errors) == {Step.WORK}
    assert result.errors[Step.WORK].by_field() == {
        "occupation": ["Pilih jabatan Anda, atau pilih “Tidak termasuk jabatan di bawah ini”."]
    }
    registration.refresh_from_db()
    assert str(registration.phone) == "+6281234567890" and registration.not_in_education
    assert registration.employment_status == ""
    assert registration.history.count() == rows_before + 1
    assert (
        registration.history.first().history_change_reason
        == "langkah contact, education_disability"
    )


def test_a_page_whose_steps_are_all_refused_writes_no_history(applicant: User) -> None:
    registration = registration_start(actor=applicant, user=applicant)
    rows_before = registration.history.count()

    result = registration_update_draft_steps(
        actor=applicant,
        registration=registration,
        steps={Step.CONSENT: {}, Step.TEST: {"answers": {}}},
    )

    assert result.saved == () and set(result.errors) == {Step.CONSENT, Step.TEST}
    assert registration.history.count() == rows_before


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
