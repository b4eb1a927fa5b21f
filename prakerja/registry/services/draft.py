"""Filling in the steps of a draft, one step at a time (SPEC §3.2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.scopes import Actor
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.identity.names import person_name_check
from prakerja.identity.nik import kk_parse, nik_parse
from prakerja.identity.phones import phone_normalise
from prakerja.identity.services import person_get_or_create, person_kk_set
from prakerja.regions.models import District, Regency
from prakerja.registry.errors import RegistryErrorCode, nik_taken, not_draft
from prakerja.registry.models import (
    ConsentText,
    EmploymentStatus,
    Gender,
    MigrantReason,
    Occupation,
    Registration,
    TestAnswer,
    TestQuestion,
)
from prakerja.registry.selectors import (
    consent_text_current,
    test_questions_active,
)
from prakerja.registry.services._parsing import _bool, _choice, _date, _Errors, _text
from prakerja.registry.services.common import nik_free_for, person_given_up, require_editor
from prakerja.registry.steps import Step


def _identity(
    registration: Registration, data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    # A NIK or KK left empty keeps the stored one: pages show only the masked number and
    # never have to put the plaintext into a form field (SPEC §4).
    stored = registration.person if registration.person_id else None
    nik_raw = _text(
        data,
        "nik",
        errors,
        max_length=64,
        required=None
        if stored
        else (RegistryErrorCode.NIK_REQUIRED, _("NIK wajib diisi sesuai KTP.")),
    )
    kk_raw = _text(
        data,
        "kk",
        errors,
        max_length=64,
        required=None
        if stored and registration.kk_index
        else (RegistryErrorCode.KK_REQUIRED, _("Nomor Kartu Keluarga (KK) wajib diisi.")),
    )
    if stored is not None:
        nik_raw = nik_raw or stored.nik
        kk_raw = kk_raw or stored.kk
    full_name = _text(
        data,
        "full_name",
        errors,
        max_length=150,
        required=(RegistryErrorCode.FULL_NAME_REQUIRED, _("Nama lengkap wajib diisi sesuai KTP.")),
    )
    if full_name:
        # The one rule for names (the import and the console use it too): full-width
        # letters fold to plain ones, markup and leading formula characters are refused.
        full_name, name_issue = person_name_check(full_name)
        if name_issue is not None:
            errors.add_issue(name_issue, "full_name")
    birth_place = _text(
        data,
        "birth_place",
        errors,
        max_length=100,
        required=(RegistryErrorCode.BIRTH_PLACE_REQUIRED, _("Tempat lahir wajib diisi.")),
    )
    birth_date = _date(
        data,
        "birth_date",
        errors,
        invalid=(
            RegistryErrorCode.BIRTH_DATE_INVALID,
            _(
                "Tanggal lahir tidak valid. Tulis tanggal-bulan-tahun, misalnya 17-08-1990, "
                "atau pilih dari kalender."
            ),
        ),
        required=(RegistryErrorCode.BIRTH_DATE_REQUIRED, _("Tanggal lahir wajib diisi.")),
        future=(RegistryErrorCode.BIRTH_DATE_FUTURE, _("Tanggal lahir tidak boleh di masa depan.")),
    )
    gender = _choice(
        data,
        "gender",
        errors,
        Gender,
        required=(RegistryErrorCode.GENDER_REQUIRED, _("Pilih jenis kelamin.")),
    )
    warnings: list[dict[str, str]] = []
    if nik_raw:
        parsed = nik_parse(nik_raw, stated_birth_date=birth_date, stated_gender=gender or None)
        if parsed.errors:
            errors.add_issue(parsed.errors[0], "nik")
        else:
            nik_raw = parsed.value
            # Not blocking: shown to the person and kept for review (SPEC §3.1).
            warnings = [issue.as_dict() for issue in parsed.warnings]
    if kk_raw:
        kk_result = kk_parse(kk_raw)
        if kk_result.errors:
            errors.add_issue(kk_result.errors[0], "kk")
        else:
            kk_raw = kk_result.value
    errors.raise_if_any()

    nik_free_for(registration, nik=nik_raw)
    person, _created = person_get_or_create(nik=nik_raw, kk=kk_raw)
    # The applicant's statement is the latest word on their family card; the person's history
    # keeps the previous number if it differed.
    person = person_kk_set(person=person, kk=kk_raw)
    return {
        "person": person,
        "kk_index": person.kk_index,
        "full_name": full_name,
        "birth_place": birth_place,
        "birth_date": birth_date,
        "gender": gender,
        "nik_warnings": warnings,
    }


def _contact(
    registration: Registration, data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    phone_raw = _text(
        data,
        "phone",
        errors,
        max_length=64,
        required=(RegistryErrorCode.PHONE_REQUIRED, _("Nomor HP wajib diisi.")),
    )
    phone = ""
    if phone_raw:
        try:
            phone = phone_normalise(phone_raw)
        except ApplicationError as exc:
            errors.add(exc.code, exc.message, "phone")
    email = _text(data, "email", errors, max_length=254).lower()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.add(
                RegistryErrorCode.EMAIL_INVALID,
                _("Alamat email tidak valid, misalnya nama@contoh.com. Email boleh dikosongkan."),
                "email",
            )
    errors.raise_if_any()
    fields: dict[str, Any] = {"phone": phone, "email": email}
    if email != registration.email:
        # A new address has to be confirmed again.
        fields["email_verified"] = False
    return fields


def _domicile(
    registration: Registration, data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    regency_code = _text(
        data,
        "regency",
        errors,
        max_length=4,
        required=(RegistryErrorCode.REGENCY_REQUIRED, _("Pilih kabupaten/kota domisili.")),
    )
    district_code = _text(
        data,
        "district",
        errors,
        max_length=6,
        required=(RegistryErrorCode.DISTRICT_REQUIRED, _("Pilih kecamatan domisili.")),
    )
    address = _text(
        data,
        "address",
        errors,
        max_length=300,
        required=(RegistryErrorCode.ADDRESS_REQUIRED, _("Alamat domisili wajib diisi.")),
    )
    regency = Regency.objects.filter(pk=regency_code).first() if regency_code else None
    if regency_code and regency is None:
        errors.add(
            RegistryErrorCode.REGENCY_UNKNOWN,
            _("Kabupaten/kota tidak dikenal. Pilih dari daftar."),
            "regency",
        )
    district = District.objects.filter(pk=district_code).first() if district_code else None
    if (
        district_code
        and regency is not None
        and (district is None or district.regency_id != regency.pk)
    ):
        errors.add(
            RegistryErrorCode.DISTRICT_MISMATCH,
            _("Kecamatan yang dipilih tidak berada di kabupaten/kota tersebut. Pilih lagi."),
            "district",
        )
    errors.raise_if_any()
    return {"domicile_regency": regency, "domicile_district": district, "address": address}


def _work(registration: Registration, data: Mapping[str, Any], errors: _Errors) -> dict[str, Any]:
    status = _choice(
        data,
        "employment_status",
        errors,
        EmploymentStatus,
        required=(RegistryErrorCode.EMPLOYMENT_STATUS_REQUIRED, _("Pilih status pekerjaan Anda.")),
    )
    migrant_reason = _choice(data, "migrant_reason", errors, MigrantReason)
    if status == EmploymentStatus.MIGRANT_WORKER and not migrant_reason:
        errors.add(
            RegistryErrorCode.MIGRANT_REASON_REQUIRED,
            _(
                "Untuk pekerja migran (PMI), pilih keterangannya: kontrak selesai, "
                "bermasalah, atau gagal berangkat."
            ),
            "migrant_reason",
        )
    if status != EmploymentStatus.MIGRANT_WORKER:
        # A sub-reason left selected in the form for another status means nothing.
        migrant_reason = ""
    occupation = _choice(
        data,
        "occupation",
        errors,
        Occupation,
        required=(
            RegistryErrorCode.OCCUPATION_REQUIRED,
            _("Pilih jabatan Anda, atau pilih “Tidak termasuk jabatan di bawah ini”."),
        ),
    )
    last_employer = _text(data, "last_employer", errors, max_length=200)
    last_date = _date(
        data,
        "last_employment_date",
        errors,
        invalid=(
            RegistryErrorCode.DATE_INVALID,
            _("Tanggal tidak valid. Tulis tanggal-bulan-tahun, misalnya 01-03-2020."),
        ),
        future=(RegistryErrorCode.DATE_FUTURE, _("Tanggal tidak boleh di masa depan.")),
    )
    errors.raise_if_any()
    return {
        "employment_status": status,
        "migrant_reason": migrant_reason,
        "occupation": occupation,
        "last_employer": last_employer,
        "last_employment_date": last_date,
    }


def _education_disability(
    registration: Registration, data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    not_in_education = _bool(
        data,
        "not_in_education",
        errors,
        required=(
            RegistryErrorCode.EDUCATION_REQUIRED,
            _("Nyatakan apakah Anda sedang menempuh pendidikan formal atau tidak."),
        ),
    )
    has_disability = _bool(data, "has_disability", errors)
    note = _text(data, "disability_note", errors, max_length=200)
    errors.raise_if_any()
    return {
        "not_in_education": not_in_education,
        "has_disability": bool(has_disability),
        "disability_note": note if has_disability else "",
    }


def _consent(
    registration: Registration, data: Mapping[str, Any], errors: _Errors
) -> dict[str, Any]:
    consent = _bool(data, "consent", errors)
    truthful = _bool(data, "truthfulness", errors)
    if not consent:
        errors.add(
            RegistryErrorCode.CONSENT_REQUIRED,
            _(
                "Anda harus menyetujui pemrosesan data pribadi (UU PDP) untuk melanjutkan "
                "pendaftaran."
            ),
            "consent",
        )
    if not truthful:
        errors.add(
            RegistryErrorCode.TRUTHFULNESS_REQUIRED,
            _("Anda harus menyatakan bahwa data yang diisi benar."),
            "truthfulness",
        )
    version = _text(data, "consent_version", errors, max_length=20)
    text: ConsentText | None
    if version:
        # The version the person was shown, so a text published meanwhile is not agreed to
        # in their name.
        text = ConsentText.objects.filter(version=version).first()
        if text is None:
            errors.add(
                RegistryErrorCode.CONSENT_VERSION_UNKNOWN,
                _("Versi teks persetujuan tidak dikenal. Muat ulang halaman."),
                "consent",
            )
    else:
        text = consent_text_current()
    errors.raise_if_any()
    if text is None:
        raise ApplicationError(
            RegistryErrorCode.CONSENT_TEXT_MISSING,
            _("Teks persetujuan belum tersedia. Hubungi petugas."),
            status=503,
        )
    now = timezone.now()
    return {"consent_text": text, "consent_at": now, "truthfulness_at": now}


def _test(registration: Registration, data: Mapping[str, Any], errors: _Errors) -> dict[str, Any]:
    answers = data.get("answers")
    if not isinstance(answers, Mapping) or not answers:
        errors.add(
            RegistryErrorCode.TEST_ANSWERS_REQUIRED, _("Jawab soal tes terlebih dahulu."), "answers"
        )
        errors.raise_if_any()
    assert isinstance(answers, Mapping)
    questions = {q.pk: q for q in test_questions_active(programme=registration.programme)}
    chosen: dict[int, int] = {}
    for key, value in answers.items():
        try:
            question_id = int(str(key)[:12])
        except ValueError:
            question_id = -1
        question = questions.get(question_id)
        if question is None:
            errors.add(
                RegistryErrorCode.TEST_QUESTION_UNKNOWN,
                _("Soal tidak dikenal. Muat ulang halaman tes."),
                "answers",
            )
            continue
        try:
            choice = int(str(value)[:4]) if not isinstance(value, bool) else -1
        except ValueError:
            choice = -1
        if not 0 <= choice < len(question.choices):
            errors.add(
                RegistryErrorCode.TEST_CHOICE_INVALID,
                _("Pilih salah satu jawaban yang tersedia."),
                f"q_{question.pk}",
            )
            continue
        chosen[question.pk] = choice
    errors.raise_if_any()
    for question_id, choice in chosen.items():
        TestAnswer.objects.update_or_create(
            registration=registration, question_id=question_id, defaults={"choice": choice}
        )
    given = dict(
        TestAnswer.objects.filter(registration=registration, question_id__in=questions).values_list(
            "question_id", "choice"
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


@transaction.atomic
def registration_update_draft(
    *, actor: Actor, registration: Registration, step: Step | str, data: Mapping[str, Any]
) -> Registration:
    """Validate and save one step of a draft; returns the saved registration.

    Nothing is written unless the whole step is valid (``StepInvalid`` lists every field
    error). A NIK that already has a registration in the programme under another account
    raises ``registration.nik_taken`` with the way to recover that account.
    """
    try:
        step = Step(step)
    except ValueError:
        raise NotFound(
            RegistryErrorCode.STEP_UNKNOWN, _("Langkah pendaftaran tidak dikenal.")
        ) from None
    require_editor(actor, registration)
    # Locked: two tabs saving steps at once must not overwrite each other's fields.
    locked = (
        Registration.objects.select_for_update().select_related("programme").get(pk=registration.pk)
    )
    if locked.status != Registration.Status.DRAFT:
        raise not_draft()
    previous_person_id = locked.person_id
    fields = _STEP_HANDLERS[step](locked, data, _Errors())
    for name, value in fields.items():
        setattr(locked, name, value)
    audit_as(locked, actor=actor, reason=f"langkah {step.value}")
    try:
        # Savepoint: the unique (programme, person) index is the last word on "one NIK
        # registers once" when two accounts save the same NIK at the same moment.
        with transaction.atomic():
            locked.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        if step == Step.IDENTITY:
            raise nik_taken() from None
        raise
    if step == Step.IDENTITY:
        person_given_up(previous_person_id, kept=locked.person_id)
    return locked
