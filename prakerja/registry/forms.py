"""One declarative schema per wizard step, a Django form each (``STEP_FORMS``).

The HTML wizard (``registration_update_draft_steps``, the steps of a page) and the API
(``registration_update_draft``, one step) both clean each step's data with the step's form: one
set of rules, codes and Indonesian messages for both surfaces (the wizard also takes the list
of fields it reads from here). A form only parses and checks, reading the database at most;
the service then writes.

The fields read a plain mapping, so JSON values (a bool, a dict of answers) arrive unchanged.
An error carries its stable code (``RegistryErrorCode`` or the identity parsers' code) as the
``ValidationError`` code; ``step_errors`` turns them into ``ApplicationError``s, one per
field (the second is usually a consequence of the first), in the order they were found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import ApplicationError
from prakerja.core.forms import DateInputField
from prakerja.identity.names import person_name_check
from prakerja.identity.nik import kk_parse, nik_parse
from prakerja.identity.phones import phone_normalise
from prakerja.regions.selectors import district_get, regency_get
from prakerja.registry.errors import RegistryErrorCode as Code
from prakerja.registry.fields import (
    AnswersField,
    ChoiceCodeField,
    RawField,
    TextField,
    YesNoField,
    coded_error,
    issue_error,
)
from prakerja.registry.models import (
    ConsentText,
    EligibilityRule,
    EmploymentStatus,
    Gender,
    MigrantReason,
    Occupation,
    Registration,
    TestQuestion,
)
from prakerja.registry.selectors import consent_text_by_version, consent_text_current
from prakerja.registry.steps import Step

# --- The forms ------------------------------------------------------------------------------


class CodedForm(forms.Form):
    """A form whose errors carry the registry's codes, one per field."""

    def add_error(self, field: str | None, error: Any) -> None:
        # One message per field is enough: the second is usually a consequence of the first.
        found = getattr(self, "_errors", None)
        if found is not None and field in found:
            return
        super().add_error(field, error)

    def step_errors(self) -> list[ApplicationError]:
        """Every error, in the order found, as the services raise them."""
        return [
            ApplicationError(error.code or "", error.message, field=field)
            for field, errors in self.errors.as_data().items()
            for error in errors[:1]
        ]


class StepForm(CodedForm):
    def __init__(self, data: Mapping[str, Any], *, registration: Registration) -> None:
        super().__init__(data=data)
        self.registration = registration


class IdentityForm(StepForm):
    nik = TextField(
        max_length=64, required_error=(Code.NIK_REQUIRED, _("NIK wajib diisi sesuai KTP."))
    )
    kk = TextField(
        max_length=64,
        required_error=(Code.KK_REQUIRED, _("Nomor Kartu Keluarga (KK) wajib diisi.")),
    )
    full_name = TextField(
        max_length=150,
        required_error=(Code.FULL_NAME_REQUIRED, _("Nama lengkap wajib diisi sesuai KTP.")),
    )
    birth_place = TextField(
        max_length=100,
        required_error=(Code.BIRTH_PLACE_REQUIRED, _("Tempat lahir wajib diisi.")),
    )
    # Day, month and year (the wizard's three fields) or one string (the API).
    birth_date = DateInputField(
        subject=_("Tanggal lahir"),
        codes={
            "required": Code.BIRTH_DATE_REQUIRED,
            "invalid": Code.BIRTH_DATE_INVALID,
            "future": Code.BIRTH_DATE_FUTURE,
        },
        required_message=_("Tanggal lahir wajib diisi."),
        future_message=_("Tanggal lahir tidak boleh di masa depan."),
    )
    gender = ChoiceCodeField(
        Gender, required_error=(Code.GENDER_REQUIRED, _("Pilih jenis kelamin."))
    )

    def __init__(self, data: Mapping[str, Any], *, registration: Registration) -> None:
        super().__init__(data, registration=registration)
        # A NIK or KK left empty keeps the stored one: pages show only the masked number and
        # never have to put the plaintext into a form field (SPEC §4).
        self.stored = registration.person if registration.person_id else None
        if self.stored is not None:
            self.fields["nik"].required_error = None  # type: ignore[attr-defined]
            if registration.kk_index:
                self.fields["kk"].required_error = None  # type: ignore[attr-defined]

    def clean_full_name(self) -> str:
        # The one rule for names (the import and the console use it too): full-width
        # letters fold to plain ones, markup and leading formula characters are refused.
        full_name, issue = person_name_check(self.cleaned_data["full_name"])
        if issue is not None:
            raise issue_error(issue)
        return full_name

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        nik, kk = data.get("nik") or "", data.get("kk") or ""
        if self.stored is not None:
            nik, kk = nik or self.stored.nik, kk or self.stored.kk
        data["nik_warnings"] = []
        if nik:
            parsed = nik_parse(
                nik,
                stated_birth_date=data.get("birth_date"),
                stated_gender=data.get("gender") or None,
            )
            if parsed.errors:
                self.add_error("nik", issue_error(parsed.errors[0]))
            else:
                nik = parsed.value
                # Not blocking: shown to the person and kept for review (SPEC §3.1).
                data["nik_warnings"] = [issue.as_dict() for issue in parsed.warnings]
        if kk:
            kk_result = kk_parse(kk)
            if kk_result.errors:
                self.add_error("kk", issue_error(kk_result.errors[0]))
            else:
                kk = kk_result.value
        data["nik"], data["kk"] = nik, kk
        return data


class ContactForm(StepForm):
    phone = TextField(
        max_length=64, required_error=(Code.PHONE_REQUIRED, _("Nomor HP wajib diisi."))
    )
    email = TextField(max_length=254)

    def __init__(self, data: Mapping[str, Any], *, registration: Registration) -> None:
        super().__init__(data, registration=registration)
        if registration.phone_owner != Registration.PhoneOwner.SELF:
            # Registered at a posko without a phone of their own: a relative's number is
            # welcome (the texts go there) but not required.
            phone = self.fields["phone"]
            assert isinstance(phone, TextField)
            phone.required_error = None

    def clean_phone(self) -> str:
        try:
            return phone_normalise(self.cleaned_data["phone"]) if self.cleaned_data["phone"] else ""
        except ApplicationError as exc:
            raise coded_error(exc.code, exc.message) from None

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).lower()
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                raise coded_error(
                    Code.EMAIL_INVALID,
                    _(
                        "Alamat email tidak valid, misalnya nama@contoh.com. "
                        "Email boleh dikosongkan."
                    ),
                ) from None
        return email


class DomicileForm(StepForm):
    regency = TextField(
        max_length=4, required_error=(Code.REGENCY_REQUIRED, _("Pilih kabupaten/kota domisili."))
    )
    district = TextField(
        max_length=6, required_error=(Code.DISTRICT_REQUIRED, _("Pilih kecamatan domisili."))
    )
    address = TextField(
        max_length=300, required_error=(Code.ADDRESS_REQUIRED, _("Alamat domisili wajib diisi."))
    )

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        regency_code, district_code = data.get("regency"), data.get("district")
        regency = regency_get(regency_code) if regency_code else None
        if regency_code and regency is None:
            self.add_error(
                "regency",
                coded_error(
                    Code.REGENCY_UNKNOWN, _("Kabupaten/kota tidak dikenal. Pilih dari daftar.")
                ),
            )
        district = district_get(district_code) if district_code else None
        if (
            district_code
            and regency is not None
            and (district is None or district.regency_id != regency.pk)
        ):
            self.add_error(
                "district",
                coded_error(
                    Code.DISTRICT_MISMATCH,
                    _(
                        "Kecamatan yang dipilih tidak berada di kabupaten/kota tersebut. "
                        "Pilih lagi."
                    ),
                ),
            )
        data["regency"], data["district"] = regency, district
        return data


class WorkForm(StepForm):
    employment_status = ChoiceCodeField(
        EmploymentStatus,
        required_error=(Code.EMPLOYMENT_STATUS_REQUIRED, _("Pilih status pekerjaan Anda.")),
    )
    migrant_reason = ChoiceCodeField(MigrantReason)
    occupation = ChoiceCodeField(
        Occupation,
        required_error=(
            Code.OCCUPATION_REQUIRED,
            _("Pilih jabatan Anda, atau pilih “Tidak termasuk jabatan di bawah ini”."),
        ),
    )
    last_employer = TextField(max_length=200)
    # Day, month and year (the wizard's three fields) or one string (the API); optional.
    last_employment_date = DateInputField(
        subject=_("Tanggal terakhir bekerja"),
        codes={
            "required": Code.DATE_INVALID,
            "invalid": Code.DATE_INVALID,
            "future": Code.DATE_FUTURE,
        },
        future_message=_("Tanggal terakhir bekerja tidak boleh di masa depan."),
    )

    def clean_migrant_reason(self) -> str:
        status = self.cleaned_data.get("employment_status")
        reason = str(self.cleaned_data["migrant_reason"])
        if status == EmploymentStatus.MIGRANT_WORKER and not reason:
            raise coded_error(
                Code.MIGRANT_REASON_REQUIRED,
                _(
                    "Untuk pekerja migran (PMI), pilih keterangannya: kontrak selesai, "
                    "bermasalah, atau gagal berangkat."
                ),
            )
        # A sub-reason left selected in the form for another status means nothing.
        return reason if status == EmploymentStatus.MIGRANT_WORKER else ""


class EducationDisabilityForm(StepForm):
    not_in_education = YesNoField(
        required_error=(
            Code.EDUCATION_REQUIRED,
            _("Nyatakan apakah Anda sedang menempuh pendidikan formal atau tidak."),
        )
    )
    has_disability = YesNoField()
    disability_note = TextField(max_length=200)


class ConsentForm(StepForm):
    consent_text: ConsentText | None = None
    consent = YesNoField()
    truthfulness = YesNoField()
    consent_version = TextField(max_length=20)

    def clean_consent(self) -> bool:
        if not self.cleaned_data["consent"]:
            raise coded_error(
                Code.CONSENT_REQUIRED,
                _(
                    "Anda harus menyetujui pemrosesan data pribadi (UU PDP) untuk melanjutkan "
                    "pendaftaran."
                ),
            )
        return True

    def clean_truthfulness(self) -> bool:
        if not self.cleaned_data["truthfulness"]:
            raise coded_error(
                Code.TRUTHFULNESS_REQUIRED,
                _("Anda harus menyatakan bahwa data yang diisi benar."),
            )
        return True

    def clean_consent_version(self) -> str:
        version = str(self.cleaned_data["consent_version"])
        text: ConsentText | None
        if version:
            # The version the person was shown, so a text published meanwhile is not agreed
            # to in their name.
            text = consent_text_by_version(version)
            if text is None:
                self.add_error(
                    "consent",
                    coded_error(
                        Code.CONSENT_VERSION_UNKNOWN,
                        _("Versi teks persetujuan tidak dikenal. Muat ulang halaman."),
                    ),
                )
        else:
            text = consent_text_current()
        self.consent_text = text
        return version


class TestForm(StepForm):
    """``answers``: {question id: choice index}. An error on one answer goes to ``q_<id>``,
    the name of that question's radio buttons in the wizard."""

    answers = AnswersField()

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        registration: Registration,
        questions: Sequence[TestQuestion] = (),
    ) -> None:
        super().__init__(data, registration=registration)
        self.questions = {question.pk: question for question in questions}
        for question_id in self.questions:
            self.fields[f"q_{question_id}"] = RawField()

    def clean_answers(self) -> dict[int, int]:
        chosen: dict[int, int] = {}
        for key, value in self.cleaned_data["answers"].items():
            try:
                question_id = int(str(key)[:12])
            except ValueError:
                question_id = -1
            question = self.questions.get(question_id)
            if question is None:
                self.add_error(
                    "answers",
                    coded_error(
                        Code.TEST_QUESTION_UNKNOWN, _("Soal tidak dikenal. Muat ulang halaman tes.")
                    ),
                )
                continue
            try:
                choice = int(str(value)[:4]) if not isinstance(value, bool) else -1
            except ValueError:
                choice = -1
            if not 0 <= choice < len(question.choices):
                self.add_error(
                    f"q_{question.pk}",
                    coded_error(
                        Code.TEST_CHOICE_INVALID, _("Pilih salah satu jawaban yang tersedia.")
                    ),
                )
                continue
            chosen[question.pk] = choice
        return chosen


STEP_FORMS: dict[Step, type[StepForm]] = {
    Step.IDENTITY: IdentityForm,
    Step.CONTACT: ContactForm,
    Step.DOMICILE: DomicileForm,
    Step.WORK: WorkForm,
    Step.EDUCATION_DISABILITY: EducationDisabilityForm,
    Step.CONSENT: ConsentForm,
    Step.TEST: TestForm,
}


# --- The programme manager's rule form ------------------------------------------------------


class EligibilityRuleForm(CodedForm):
    """A rule's reason and, by its kind, its parameter (``years``, ``max`` or
    ``occupations``)."""

    reason = TextField(
        max_length=300, required_error=(Code.RULE_REASON_REQUIRED, _("Alasan wajib diisi."))
    )
    years = RawField()
    max = RawField()
    occupations = RawField()

    def __init__(self, data: Mapping[str, Any], *, rule: EligibilityRule) -> None:
        super().__init__(data=data)
        self.kind = EligibilityRule.Kind(rule.kind)

    def clean(self) -> dict[str, Any]:
        parameter: dict[str, Any] = {}
        if self.kind in {EligibilityRule.Kind.MIN_AGE, EligibilityRule.Kind.KK_CAP}:
            key, low, high = (
                ("years", 0, 100) if self.kind == EligibilityRule.Kind.MIN_AGE else ("max", 1, 50)
            )
            value = self.data.get(key)
            try:
                number = int(str(value).strip()[:4])
            except ValueError:
                number = -1
            if isinstance(value, bool) or not low <= number <= high:
                self.add_error(
                    key,
                    coded_error(
                        Code.RULE_PARAMETER_INVALID,
                        format_lazy(_("Isi angka antara {low} dan {high}."), low=low, high=high),
                    ),
                )
            parameter[key] = number
        elif self.kind == EligibilityRule.Kind.EXCLUDED_OCCUPATION:
            occupations = self.data.get("occupations") or []
            if not isinstance(occupations, list | tuple) or any(
                o not in Occupation.values or o == Occupation.NONE for o in occupations
            ):
                self.add_error(
                    "occupations",
                    coded_error(Code.RULE_PARAMETER_INVALID, _("Pilihan jabatan tidak dikenal.")),
                )
            else:
                parameter["occupations"] = [o for o in Occupation.values if o in occupations]
        self.cleaned_data["parameter"] = parameter
        return self.cleaned_data
