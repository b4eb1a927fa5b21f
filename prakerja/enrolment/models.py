"""From "selected" to a verifiable completion (SPEC §3.6): participants, their training balance
as an append-only ledger, enrolments in course batches, attendance, completion, certificates
and ratings.

A ``Participant`` is made for every applicant a published selection run selected (receiver of
``core.signals.selection_published``), with the programme's training balance credited in the
``LedgerEntry`` table. ``Participant.balance`` is the ledger's sum kept beside it for the
conditional update that debits it (``balance >= price``); the check constraint refuses a
negative balance and a reconciliation (``enrolment.selectors``/tests) proves it equals the sum.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TrainingSettings(models.Model):
    """Per programme, as data: the training balance, the enrolment deadline, and how long a
    revoked participant stays out of later waves."""

    programme = models.OneToOneField(
        "registry.Programme", on_delete=models.CASCADE, related_name="training_settings"
    )
    balance_amount = models.BigIntegerField(
        _("saldo pelatihan (Rp)"), default=1_000_000, validators=[MinValueValidator(0)]
    )
    enrol_deadline_days = models.PositiveSmallIntegerField(
        _("batas hari untuk membeli pelatihan pertama"),
        default=30,
        validators=[MinValueValidator(1)],
    )
    revoked_block_days = models.PositiveSmallIntegerField(
        _("lama larangan mendaftar lagi setelah dicabut (hari)"), default=365
    )
    pass_score = models.PositiveSmallIntegerField(
        _("nilai kelulusan ujian akhir"),
        default=60,
        validators=[MaxValueValidator(100)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pengaturan pelatihan")
        verbose_name_plural = _("pengaturan pelatihan")

    def __str__(self) -> str:
        return f"{self.programme_id}"


class Participant(models.Model):
    """A selected applicant of one wave, from selection to training."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktif")
        REVOKED = "revoked", _("Dicabut")

    wave_entry = models.OneToOneField(
        "waves.WaveEntry", on_delete=models.PROTECT, related_name="participant"
    )
    registration = models.ForeignKey(
        "registry.Registration", on_delete=models.PROTECT, related_name="participants"
    )
    wave = models.ForeignKey("waves.Wave", on_delete=models.PROTECT, related_name="participants")
    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    balance = models.BigIntegerField(_("saldo (Rp)"), default=0)
    selected_at = models.DateTimeField(_("terpilih"))
    enrol_by = models.DateTimeField(_("batas membeli pelatihan pertama"))
    first_enrolled_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Promoted from the waiting list after another participant's revocation.
    promoted_from_waiting = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["wave", "id"]
        verbose_name = _("peserta pelatihan")
        verbose_name_plural = _("peserta pelatihan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="participant_balance_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["status", "enrol_by"])]

    def __str__(self) -> str:
        return f"participant {self.pk}"


class LedgerEntry(models.Model):
    """Append-only: one credit (+) or debit (−) of a participant's training balance."""

    class Reason(models.TextChoices):
        GRANT = "grant", _("Saldo pelatihan diberikan")
        ENROL = "enrol", _("Membeli pelatihan")
        CANCEL = "cancel", _("Pembatalan pelatihan: saldo dikembalikan")
        REVOKE = "revoke", _("Kepesertaan dicabut: saldo ditarik")

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="ledger")
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    reason = models.CharField(_("keterangan"), max_length=10, choices=Reason.choices)
    enrolment = models.ForeignKey(
        "Enrolment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["participant", "id"]
        verbose_name = _("mutasi saldo")
        verbose_name_plural = _("mutasi saldo")
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}:{self.amount}"


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Terdaftar")
        CANCELLED = "cancelled", _("Dibatalkan")
        COMPLETED = "completed", _("Selesai")
        FAILED = "failed", _("Tidak lulus")

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="enrolments"
    )
    batch = models.ForeignKey(
        "training.CourseBatch", on_delete=models.PROTECT, related_name="enrolments"
    )
    price = models.BigIntegerField(_("harga (Rp)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attendance_percent = models.PositiveSmallIntegerField(
        _("kehadiran (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    final_score = models.PositiveSmallIntegerField(
        _("nilai ujian akhir"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-enrolled_at"]
        verbose_name = _("pendaftaran pelatihan")
        verbose_name_plural = _("pendaftaran pelatihan")
        constraints = [
            # One live enrolment per participant and batch (a cancelled one may be redone).
            models.UniqueConstraint(
                fields=["participant", "batch"],
                condition=~models.Q(status="cancelled"),
                name="enrolment_once_per_batch",
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="enrolment_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}@{self.batch_id}:{self.status}"


class Certificate(models.Model):
    """Issued on completion; ``number`` is public (``/sertifikat/<number>``) and unguessable."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    number = models.CharField(_("nomor sertifikat"), max_length=32, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sertifikat")
        verbose_name_plural = _("sertifikat")

    def __str__(self) -> str:
        return self.number


class Rating(models.Model):
    """A participant's rating of a completed course: once, 1 to 5, with a comment."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="rating")
    stars = models.PositiveSmallIntegerField(
        _("nilai"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("komentar"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("penilaian pelatihan")
        verbose_name_plural = _("penilaian pelatihan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.stars}"


class Promotion(models.Model):
    """A place handed back by a revocation and given to the next applicant of the same
    regency's waiting list, in the order the published run computed (``rank_in_regency``).

    Recorded against that run: a run's promotions are its waiting list put to use, one row
    per place. Written once by the revocation job (``enrolment.services.revocation``) with
    its history row; the promoted entry's status change and the new participant have theirs.
    """

    run = models.ForeignKey(
        "waves.SelectionRun", on_delete=models.PROTECT, related_name="promotions"
    )
    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The promoted applicant's entry in the run's wave (now ``selected``); its participant is
    # ``wave_entry.participant``.
    wave_entry = models.OneToOneField(
        "waves.WaveEntry", on_delete=models.PROTECT, related_name="promotion"
    )
    rank_in_regency = models.IntegerField(_("peringkat di kabupaten/kota"))
    # The revoked participant whose place this is.
    replaces = models.OneToOneField(
        Participant, on_delete=models.PROTECT, related_name="replaced_by"
    )
    created_at = models.DateTimeField(_("dipromosikan"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["run", "regency", "rank_in_regency"]
        verbose_name = _("promosi dari daftar tunggu")
        verbose_name_plural = _("promosi dari daftar tunggu")

    def __str__(self) -> str:
        return f"{self.run_id}:{self.regency_id}#{self.rank_in_regency}"


class Notice(models.Model):
    """An SMS owed to a participant (place revoked, or promoted from the waiting list).

    Written in the transaction of the change, set-based, and sent after it commits by the
    notices job (``enrolment.services.notices``), which *claims* each row with its token
    before sending, as ``waves.Announcement`` does: a job run twice texts nobody twice.
    """

    class Kind(models.TextChoices):
        REVOKED = "revoked", _("Kepesertaan dicabut")
        PROMOTED = "promoted", _("Terpilih dari daftar tunggu")

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("dibuat"))
    claim = models.CharField(max_length=36, blank=True)
    claimed_at = models.DateTimeField(_("diklaim"), null=True, blank=True)
    sent_at = models.DateTimeField(_("SMS terkirim"), null=True, blank=True)
    error = models.CharField(_("galat"), max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("pemberitahuan peserta")
        verbose_name_plural = _("pemberitahuan peserta")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "kind"], name="notice_once_per_participant_kind"
            ),
        ]
        indexes = [
            # The job's scan for unclaimed rows stays small however many were sent.
            models.Index(fields=["id"], condition=models.Q(claim=""), name="notice_unclaimed_idx"),
            models.Index(fields=["claim"], name="notice_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}:{self.kind}"
