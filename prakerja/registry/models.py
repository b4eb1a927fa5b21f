"""Registrations for the Kartu Prakerja programme (SPEC §3.2).

One ``Registration`` per applicant account and programme; the NIK lives encrypted in
``identity.Person`` and a person registers once per programme (unique constraint). Eligibility
rules are rows (``EligibilityRule``), each with the Indonesian reason shown for a "no".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from prakerja.core.indexes import index_where_set


class Programme(models.Model):
    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    is_active = models.BooleanField(_("aktif"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("program")
        verbose_name_plural = _("program")

    def __str__(self) -> str:
        return self.name


class Occupation(models.TextChoices):
    NONE = "none", _("Tidak termasuk jabatan di bawah ini")
    ASN = "asn", _("Aparatur Sipil Negara (ASN)")
    TNI = "tni", _("Anggota TNI")
    POLRI = "polri", _("Anggota Polri")
    VILLAGE_HEAD = "village_head", _("Kepala desa")
    VILLAGE_OFFICIAL = "village_official", _("Perangkat desa")
    DPR = "dpr", _("Anggota DPR")
    DPRD = "dprd", _("Anggota DPRD")
    BUMN_BOARD = "bumn_board", _("Direksi atau komisaris BUMN")
    BUMD_BOARD = "bumd_board", _("Direksi atau komisaris BUMD")


class EligibilityRule(models.Model):
    """One rule of a programme; ``parameter`` depends on ``kind`` (see the service)."""

    class Kind(models.TextChoices):
        MIN_AGE = "min_age", _("Usia minimal (tahun) pada tanggal pendaftaran")
        NOT_IN_EDUCATION = "not_in_education", _("Tidak sedang menempuh pendidikan formal")
        EXCLUDED_OCCUPATION = "excluded_occupation", _("Jabatan yang dikecualikan")
        KK_CAP = "kk_cap", _("Jumlah pendaftar maksimal per Kartu Keluarga")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("jenis"), max_length=30, choices=Kind.choices)
    parameter = models.JSONField(_("parameter"), default=dict, blank=True)
    reason = models.CharField(_("alasan bila tidak memenuhi"), max_length=300)
    is_active = models.BooleanField(_("aktif"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "kind"]
        verbose_name = _("aturan kelayakan")
        verbose_name_plural = _("aturan kelayakan")
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="rule_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code}: {self.get_kind_display()}"


class ConsentText(models.Model):
    """The consent text (UU PDP 27/2022) and truthfulness statement, versioned."""

    version = models.CharField(_("versi"), max_length=20, unique=True)
    consent_body = models.TextField(_("persetujuan pemrosesan data"))
    truthfulness_body = models.TextField(_("pernyataan kebenaran data"))
    published_at = models.DateTimeField(_("diterbitkan"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("teks persetujuan")
        verbose_name_plural = _("teks persetujuan")

    def __str__(self) -> str:
        return self.version


class Channel(models.TextChoices):
    ONLINE = "online", _("Daring")
    POST = "post", _("Posko")
    CALLCENTRE = "callcentre", _("Call center")
    IMPORT = "import", _("Impor")


class EmploymentStatus(models.TextChoices):
    LAID_OFF = "laid_off", _("Korban PHK")
    FURLOUGHED = "furloughed", _("Dirumahkan")
    MIGRANT_WORKER = "migrant_worker", _("Pekerja migran (PMI)")
    LAID_OFF_PRE_COVID = "laid_off_pre_covid", _("PHK sebelum COVID-19")
    JOB_SEEKER = "job_seeker", _("Pencari kerja")
    MICRO_BUSINESS = "micro_business", _("Usaha mikro terdampak")


class MigrantReason(models.TextChoices):
    CONTRACT_ENDED = "contract_ended", _("Kontrak selesai")
    IN_TROUBLE = "in_trouble", _("Bermasalah")
    FAILED_TO_DEPART = "failed_to_depart", _("Gagal berangkat")


class Gender(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


# Registration's indexed fields whose copies in the history table are left unindexed.
HISTORY_UNINDEXED = [
    "reference",
    "kk_index",
    "submitted_at",
    "programme",
    "user",
    "person",
    "consent_text",
    "domicile_regency",
    "domicile_district",
    "assisted_post",
    "assisted_by",
]


class Registration(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Terkirim")
        INELIGIBLE = "ineligible", _("Tidak memenuhi syarat")

    class PhoneOwner(models.TextChoices):
        """Whose number ``phone`` is. A walk-in at a posko without a phone of their own is
        registered with a relative's number (texts go there) or with none; their account then
        has no phone and they sign in with their reference and a printed one-time code."""

        SELF = "self", _("Milik pendaftar sendiri")
        RELATIVE = "relative", _("Milik keluarga atau kerabat")
        NONE = "none", _("Tidak ada nomor HP")

    # Short, readable over the phone: no 0/O, 1/I/L (see registry.references).
    reference = models.CharField(_("nomor pendaftaran"), max_length=12, unique=True)
    # Indexes cost every write (a draft is written once per page): only those a query reads.
    # ``programme`` leads the one-per-person index and ``user`` the one-per-account index, so
    # neither has one of its own.
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="registrations",
        db_index=False,
    )
    person = models.ForeignKey(
        "identity.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Blind index of the KK, copied from the person. Applicants per family card are counted in
    # FamilyCardCount, so no query looks registrations up by it.
    kk_index = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )

    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    birth_place = models.CharField(_("tempat lahir"), max_length=100, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender.choices, blank=True)
    phone = PhoneNumberField(_("nomor HP"), blank=True)
    phone_owner = models.CharField(
        _("pemilik nomor HP"), max_length=8, choices=PhoneOwner.choices, default=PhoneOwner.SELF
    )
    email = models.EmailField(_("email"), blank=True)
    email_verified = models.BooleanField(_("email terverifikasi"), default=False)
    # Regencies are looked up by equality and IN (quotas): the plain index in Meta, without
    # the pattern-ops copy a foreign key to a text key gets. No query selects by district.
    domicile_regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    domicile_district = models.ForeignKey(
        "regions.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    address = models.CharField(_("alamat domisili"), max_length=300, blank=True)
    employment_status = models.CharField(
        _("status pekerjaan"), max_length=20, choices=EmploymentStatus.choices, blank=True
    )
    migrant_reason = models.CharField(
        _("keterangan PMI"), max_length=20, choices=MigrantReason.choices, blank=True
    )
    occupation = models.CharField(
        _("jabatan"), max_length=20, choices=Occupation.choices, blank=True
    )
    last_employer = models.CharField(_("tempat kerja terakhir"), max_length=200, blank=True)
    last_employment_date = models.DateField(_("tanggal terakhir bekerja"), null=True, blank=True)
    not_in_education = models.BooleanField(
        _("tidak sedang menempuh pendidikan formal"), null=True, blank=True
    )
    has_disability = models.BooleanField(_("penyandang disabilitas"), default=False)
    disability_note = models.CharField(_("keterangan disabilitas"), max_length=200, blank=True)
    # Consent texts are versions kept for ever: none is deleted, so no index to find its users.
    consent_text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    consent_at = models.DateTimeField(_("waktu persetujuan"), null=True, blank=True)
    truthfulness_at = models.DateTimeField(_("waktu pernyataan kebenaran"), null=True, blank=True)
    # NIK warnings (birth date or gender differs from the NIK): shown and kept for review.
    nik_warnings = models.JSONField(_("peringatan NIK"), default=list, blank=True)
    ineligibility_reasons = models.JSONField(_("alasan tidak memenuhi syarat"), default=list)

    # Set by the labour-data linkage (labourdata app) when this registrant matches a worker
    # reported by a Disnaker; the selection (waves app) weights it. Never set by the applicant.
    reported_by_disnaker = models.BooleanField(_("dilaporkan Disnaker"), default=False)

    test_score = models.PositiveSmallIntegerField(_("skor tes"), null=True, blank=True)
    test_completed_at = models.DateTimeField(_("tes selesai"), null=True, blank=True)

    channel = models.CharField(
        _("kanal"), max_length=12, choices=Channel.choices, default=Channel.ONLINE
    )
    # Empty for every online registration: indexed only where set (Meta).
    assisted_post = models.ForeignKey(
        "assistance.Post",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        db_index=False,
    )
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assisted_registrations",
        db_index=False,
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    # Empty until submitted, and every query on it asks for submitted rows: indexed only
    # where set (Meta).
    submitted_at = models.DateTimeField(_("dikirim"), null=True, blank=True)
    # Every step a person saves writes a history row: ``history_user`` has no database
    # constraint, whose check would lock the acting user's row once per row (a WAL record
    # each; bench/README.md, issue 17). Still a foreign key to the ORM, as on Person.
    # History is read one registration at a time (``id``): the copies of the table's own
    # indexes would cost every history row 13 index entries no query reads.
    history = HistoricalRecords(user_db_constraint=False, no_db_index=HISTORY_UNINDEXED)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pendaftaran")
        verbose_name_plural = _("pendaftaran")
        constraints = [
            # One NIK registers once per programme (SPEC §3.2).
            models.UniqueConstraint(
                fields=["programme", "person"], name="registration_one_per_person"
            ),
            # ``user`` first: it also serves the look-ups by account (and the foreign key's
            # checks) that a plain index on ``user`` served.
            models.UniqueConstraint(
                fields=["user", "programme"], name="registration_one_per_account"
            ),
        ]
        # A draft's row is written once per page, each write (but the consent page's) adding
        # an entry to every index that covers the row. Columns empty while a draft is filled in
        # (or for good, on an online registration) are indexed only where set: every query on
        # them asks for a value (equality, a range, ``IS NOT NULL``), which the partial index
        # serves (issue 17).
        indexes = [
            index_where_set("channel", "submitted_at", name="registration_channel_submitted"),
            index_where_set("submitted_at", name="registration_submitted"),
            index_where_set("domicile_regency", name="registration_regency_set"),
            index_where_set("assisted_post", name="registration_assisted_post"),
            index_where_set("assisted_by", name="registration_assisted_by"),
        ]

    def __str__(self) -> str:
        return self.reference


class FamilyCardCount(models.Model):
    """How many registrations of one family card (KK) are submitted in a programme.

    The per-KK cap is enforced on this row, not by counting registrations: the submit service
    increments it with ``UPDATE … SET submitted = submitted + 1 WHERE submitted < cap``, so two
    members of one KK submitting at once queue on this one row (and nobody else waits), and
    the second sees the first's increment. Kept by ``registration_submit`` only; filled from
    the registrations by migration 0004.
    """

    # Leads the one-per-KK index: no index of its own.
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kk_index = models.CharField(max_length=64)
    submitted = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("jumlah pendaftar per KK")
        verbose_name_plural = _("jumlah pendaftar per KK")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kk_index"], name="family_card_count_one_per_kk"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}:{self.kk_index[:8]}={self.submitted}"


class TestQuestion(models.Model):
    """Registration test (motivation and basic ability). The score is never used for ranking."""

    __test__ = False  # not a pytest test class, despite the name

    class Kind(models.TextChoices):
        MOTIVATION = "motivation", _("Motivasi")
        ABILITY = "ability", _("Kemampuan dasar")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("pertanyaan"))
    choices = models.JSONField(_("pilihan jawaban"))
    # Null for motivation questions: every answer is accepted, none is "right".
    correct_choice = models.PositiveSmallIntegerField(_("jawaban benar"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "order", "id"]
        verbose_name = _("soal tes")
        verbose_name_plural = _("soal tes")

    def __str__(self) -> str:
        return self.text[:60]


class TestAnswer(models.Model):
    __test__ = False  # not a pytest test class, despite the name

    # Leads the once-per-question index, which serves its look-ups: no index of its own.
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="test_answers", db_index=False
    )
    question = models.ForeignKey(TestQuestion, on_delete=models.PROTECT, related_name="+")
    choice = models.PositiveSmallIntegerField(_("jawaban"))
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "question"], name="test_answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}:{self.question_id}={self.choice}"
