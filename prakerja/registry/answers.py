"""Every answer of a registration, as the person gave it, for the "check your answers" page
(GOV.UK's pattern): readable labels and values, each row linked back to its step.

A read only. Dates read "17 Agustus 1990" (the active language's month names), choices by their
label, the NIK and KK masked as everywhere else: the page never has the plaintext number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from prakerja.registry.models import (
    EmploymentStatus,
    Gender,
    MigrantReason,
    Occupation,
    Registration,
)
from prakerja.registry.selectors import test_answers_of, test_questions_active
from prakerja.registry.steps import STEP_ORDER, Step

NOT_GIVEN = _("Tidak diisi")


@dataclass(frozen=True)
class Answer:
    label: str | Promise
    value: str | Promise


@dataclass(frozen=True)
class StepAnswers:
    step: Step
    answers: list[Answer] = field(default_factory=list)


def _date(value: date | None) -> str | Promise:
    return date_format(value, "j F Y") if value else NOT_GIVEN


def _label(
    choices: type[EmploymentStatus | Gender | MigrantReason | Occupation], value: str
) -> str:
    return str(choices(value).label) if value in choices.values else str(value or NOT_GIVEN)


def _identity(r: Registration) -> list[Answer]:
    person = r.person if r.person_id else None
    return [
        Answer(_("NIK"), person.nik_masked if person else NOT_GIVEN),
        Answer(
            _("Nomor Kartu Keluarga (KK)"),
            person.kk_masked if person and r.kk_index else NOT_GIVEN,
        ),
        Answer(_("Nama lengkap"), r.full_name or NOT_GIVEN),
        Answer(_("Tempat lahir"), r.birth_place or NOT_GIVEN),
        Answer(_("Tanggal lahir"), _date(r.birth_date)),
        Answer(_("Jenis kelamin"), _label(Gender, r.gender)),
    ]


def _contact(r: Registration) -> list[Answer]:
    if r.phone_owner == Registration.PhoneOwner.NONE:
        phone = Answer(_("Nomor HP"), _("Tidak ada: masuk dengan kode yang dicetak petugas"))
    elif r.phone_owner == Registration.PhoneOwner.RELATIVE:
        phone = Answer(_("Nomor HP keluarga atau kerabat"), str(r.phone) if r.phone else NOT_GIVEN)
    else:
        phone = Answer(_("Nomor HP"), str(r.phone) if r.phone else NOT_GIVEN)
    return [
        phone,
        Answer(_("Email"), r.email or NOT_GIVEN),
    ]


def _domicile(r: Registration) -> list[Answer]:
    regency, district = r.domicile_regency, r.domicile_district
    return [
        Answer(_("Kabupaten/kota"), regency.name if regency else NOT_GIVEN),
        Answer(_("Kecamatan"), district.name if district else NOT_GIVEN),
        Answer(_("Alamat"), r.address or NOT_GIVEN),
    ]


def _work(r: Registration) -> list[Answer]:
    answers = [Answer(_("Status pekerjaan"), _label(EmploymentStatus, r.employment_status))]
    if r.migrant_reason:
        answers.append(
            Answer(_("Keterangan pekerja migran (PMI)"), _label(MigrantReason, r.migrant_reason))
        )
    return [
        *answers,
        Answer(_("Jabatan"), _label(Occupation, r.occupation)),
        Answer(_("Tempat kerja terakhir"), r.last_employer or NOT_GIVEN),
        Answer(_("Tanggal terakhir bekerja"), _date(r.last_employment_date)),
    ]


def _education_disability(r: Registration) -> list[Answer]:
    education: str | Promise = NOT_GIVEN
    if r.not_in_education is not None:
        education = (
            _("Tidak sedang sekolah atau kuliah")
            if r.not_in_education
            else _("Sedang sekolah atau kuliah")
        )
    answers = [
        Answer(_("Pendidikan formal"), education),
        Answer(_("Penyandang disabilitas"), _("Ya") if r.has_disability else _("Tidak")),
    ]
    if r.has_disability or r.disability_note:
        answers.append(Answer(_("Keterangan disabilitas"), r.disability_note or NOT_GIVEN))
    return answers


def _consent(r: Registration) -> list[Answer]:
    return [
        Answer(
            _("Persetujuan pemrosesan data pribadi"),
            _("Disetujui") if r.consent_at else _("Belum disetujui"),
        ),
        Answer(
            _("Pernyataan kebenaran data"),
            _("Dinyatakan benar") if r.truthfulness_at else _("Belum dinyatakan"),
        ),
    ]


def _test(r: Registration) -> list[Answer]:
    chosen = test_answers_of(registration=r)
    answers = []
    for question in test_questions_active(programme=r.programme):
        choice = chosen.get(question.pk)
        valid = choice is not None and 0 <= choice < len(question.choices)
        answers.append(
            Answer(question.text, str(question.choices[choice]) if valid else NOT_GIVEN)  # type: ignore[index]
        )
    return answers


_BY_STEP = {
    Step.IDENTITY: _identity,
    Step.CONTACT: _contact,
    Step.DOMICILE: _domicile,
    Step.WORK: _work,
    Step.EDUCATION_DISABILITY: _education_disability,
    Step.CONSENT: _consent,
    Step.TEST: _test,
}


def registration_answers(*, registration: Registration) -> list[StepAnswers]:
    """The answers of every step, in the wizard's order."""
    return [StepAnswers(step, _BY_STEP[step](registration)) for step in STEP_ORDER]
