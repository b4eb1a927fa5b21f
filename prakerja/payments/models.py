"""Incentive payments (SPEC §3.6, issue 15): a participant's payment account, the incentive
schedule as data, instalments, payment batches for the bank, the bank's results, and a
double-entry ledger of every movement.

Audit: ``PaymentAccount`` and ``PaymentBatch`` keep simple-history rows (who, when). The
instalments and batch lines change in bulk (the due-instalment job, building a batch, the
bank's results), so their audit record is ``PaymentMovement``: one row per instalment per
movement, written in the same statement set as the change, with the acting user, the batch
line and the result import. It holds everything needed to rebuild who moved which amount,
when, from which state to which.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Bank codes (Bank Indonesia's clearing codes) and e-wallets a participant may choose.
BANKS: dict[str, str] = {
    "002": "BRI",
    "008": "Bank Mandiri",
    "009": "BNI",
    "014": "BCA",
    "022": "CIMB Niaga",
    "114": "Bank Jatim",
    "200": "BTN",
    "451": "BSI",
}
EWALLETS: dict[str, str] = {
    "dana": "DANA",
    "gopay": "GoPay",
    "linkaja": "LinkAja",
    "ovo": "OVO",
    "shopeepay": "ShopeePay",
}


class Channel(models.TextChoices):
    BANK = "bank", _("Rekening bank")
    EWALLET = "ewallet", _("Dompet digital")


class PaymentSettings(models.Model):
    """Per programme, as data: how close the account holder's name must be to the registered
    name, and how long payments wait after the account changes."""

    programme = models.OneToOneField(
        "registry.Programme", on_delete=models.CASCADE, related_name="payment_settings"
    )
    name_match_threshold = models.PositiveSmallIntegerField(
        _("batas kemiripan nama pemilik rekening (0–100)"),
        default=85,
        validators=[MaxValueValidator(100)],
    )
    change_block_hours = models.PositiveSmallIntegerField(
        _("jeda pembayaran setelah rekening diganti (jam)"), default=24
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pengaturan pembayaran")
        verbose_name_plural = _("pengaturan pembayaran")

    def __str__(self) -> str:
        return f"{self.programme_id}"


class PaymentAccount(models.Model):
    """Where a participant's incentive goes. One active account per participant, and one
    participant per account (the blind index, unique among active accounts)."""

    class NameCheck(models.TextChoices):
        MATCHED = "matched", _("Nama cocok")
        REVIEW = "review", _("Nama perlu diperiksa")
        REJECTED = "rejected", _("Ditolak pemeriksa")

    participant = models.ForeignKey(
        "enrolment.Participant", on_delete=models.PROTECT, related_name="payment_accounts"
    )
    channel = models.CharField(_("jenis"), max_length=10, choices=Channel.choices)
    provider = models.CharField(_("bank atau dompet digital"), max_length=12)
    number_encrypted = models.TextField(_("nomor rekening/HP (terenkripsi)"))
    number_index = models.CharField(_("indeks nomor"), max_length=64)
    number_last4 = models.CharField(_("4 angka terakhir"), max_length=4)
    holder_name = models.CharField(_("nama pemilik"), max_length=150)
    name_score = models.PositiveSmallIntegerField(_("kemiripan nama"), default=0)
    name_check = models.CharField(_("pemeriksaan nama"), max_length=10, choices=NameCheck.choices)
    is_active = models.BooleanField(default=True)
    # Set when the account replaces an earlier one: no payment before this moment.
    blocked_until = models.DateTimeField(_("pembayaran ditahan sampai"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    replaced_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rekening pembayaran")
        verbose_name_plural = _("rekening pembayaran")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider", "number_index"],
                condition=models.Q(is_active=True),
                name="payment_account_one_person",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=models.Q(is_active=True),
                name="payment_account_one_active",
            ),
        ]

    def __str__(self) -> str:
        name = BANKS.get(self.provider) or EWALLETS.get(self.provider) or self.provider
        return f"{name} …{self.number_last4}"


class AccountRefusal(models.Model):
    """A second person entered an account already in use: refused, and kept as a signal for
    the reviewers (no account number, only its blind index)."""

    participant = models.ForeignKey(
        "enrolment.Participant", on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey("enrolment.Participant", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    provider = models.CharField(max_length=12)
    number_index = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"refusal {self.pk}"


class ChangeCode(models.Model):
    """The one-time code sent by SMS to the participant's phone before an account change."""

    MAX_ATTEMPTS = 5
    participant = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="+"
    )
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"code {self.pk}"


class IncentiveRule(models.Model):
    """What is paid, when and on what condition: ``count`` instalments of ``amount``,
    ``interval_days`` apart, after the first completed course or after a survey."""

    class Kind(models.TextChoices):
        COMPLETION = "completion", _("Setelah pelatihan pertama selesai")
        SURVEY = "survey", _("Setelah mengisi survei")

    programme = models.ForeignKey(
        "registry.Programme", on_delete=models.CASCADE, related_name="incentive_rules"
    )
    kind = models.CharField(_("syarat"), max_length=12, choices=Kind.choices)
    survey = models.OneToOneField(
        "Survey", on_delete=models.PROTECT, null=True, blank=True, related_name="rule"
    )
    label = models.CharField(_("nama"), max_length=80)
    amount = models.BigIntegerField(
        _("jumlah per angsuran (Rp)"), validators=[MinValueValidator(1)]
    )
    count = models.PositiveSmallIntegerField(
        _("jumlah angsuran"), default=1, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    interval_days = models.PositiveSmallIntegerField(_("jarak antarangsuran (hari)"), default=30)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "kind", "id"]
        verbose_name = _("aturan insentif")
        verbose_name_plural = _("aturan insentif")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="incentive_amount_gt_0"),
            models.CheckConstraint(
                condition=models.Q(kind="survey", survey__isnull=False)
                | (~models.Q(kind="survey") & models.Q(survey__isnull=True)),
                name="incentive_survey_iff_survey_rule",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Survey(models.Model):
    programme = models.ForeignKey(
        "registry.Programme", on_delete=models.CASCADE, related_name="surveys"
    )
    number = models.PositiveSmallIntegerField(_("survei ke-"))
    title = models.CharField(_("judul"), max_length=120)
    # [{"key": "...", "text": "...", "choices": ["...", ...]}]
    questions = models.JSONField(_("pertanyaan"), default=list)
    opens_after_days = models.PositiveSmallIntegerField(
        _("dibuka … hari setelah pelatihan pertama selesai"), default=0
    )

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="survey_number_once")
        ]

    def __str__(self) -> str:
        return self.title


class SurveyResponse(models.Model):
    participant = models.ForeignKey(
        "enrolment.Participant", on_delete=models.PROTECT, related_name="survey_responses"
    )
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "survey"], name="survey_answered_once")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}:{self.survey_id}"


class Instalment(models.Model):
    """One payment owed to one participant. (participant, rule, sequence) is unique: the same
    instalment can never be made, nor paid, twice."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Terjadwal")
        DUE = "due", _("Siap dibayar")
        IN_BATCH = "in_batch", _("Sedang diproses bank")
        PAID = "paid", _("Sudah dibayar")

    # Indexed through ``instalment_once`` (participant first); a rule has few instalments'
    # lookups (none on the hot paths). Fewer indexes: a million participants make four million
    # rows in one statement (bench/README.md, "Payments").
    participant = models.ForeignKey(
        "enrolment.Participant",
        on_delete=models.PROTECT,
        related_name="instalments",
        db_index=False,
    )
    rule = models.ForeignKey(
        IncentiveRule, on_delete=models.PROTECT, related_name="instalments", db_index=False
    )
    sequence = models.PositiveSmallIntegerField(_("angsuran ke-"))
    amount = models.BigIntegerField(_("jumlah (Rp)"))
    due_on = models.DateField(_("jatuh tempo"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # The bank's reason when the last transfer failed or came back; cleared when paid.
    problem = models.CharField(_("kendala terakhir"), max_length=200, blank=True)
    # The participant's regency, copied for the batch filter and the report.
    regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["participant", "due_on", "id"]
        verbose_name = _("angsuran insentif")
        verbose_name_plural = _("angsuran insentif")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "rule", "sequence"], name="instalment_once"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="instalment_amount_gt_0"),
        ]
        # Only the due ones are looked up (a batch takes them): moving an instalment on to the
        # bank or to paid then writes no entry here.
        indexes = [
            models.Index(fields=["due_on"], condition=models.Q(status="due"), name="instalment_due")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}/{self.rule_id}/{self.sequence}"


class PaymentBatch(models.Model):
    """A set of due instalments sent to the bank together: built by one treasury officer,
    approved by another, exported, then reconciled with the bank's result file."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Menunggu persetujuan")
        APPROVED = "approved", _("Disetujui")
        RECONCILED = "reconciled", _("Selesai direkonsiliasi")

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    channel = models.CharField(_("jenis"), max_length=10, choices=Channel.choices, blank=True)
    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    line_count = models.PositiveIntegerField(_("jumlah baris"), default=0)
    total = models.BigIntegerField(_("total (Rp)"), default=0)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    built_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("batch pembayaran")
        verbose_name_plural = _("batch pembayaran")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("built_by")),
                name="payment_batch_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"PB-{self.pk:06d}"

    @property
    def code(self) -> str:
        return f"PB-{self.pk:06d}"


class PaymentLine(models.Model):
    """One transfer in a batch, with the account as it was when the batch was built."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Menunggu hasil bank")
        PAID = "paid", _("Berhasil")
        FAILED = "failed", _("Gagal")
        RETURNED = "returned", _("Dikembalikan")

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="lines")
    # Looked up by instalment and by participant only while pending: the partial indexes
    # below. A result file updates half a million lines; every index is one more entry each.
    instalment = models.ForeignKey(
        Instalment, on_delete=models.PROTECT, related_name="lines", db_index=False
    )
    participant = models.ForeignKey(
        "enrolment.Participant", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    amount = models.BigIntegerField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    provider = models.CharField(max_length=12)
    number_encrypted = models.TextField()
    holder_name = models.CharField(max_length=150)
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.PENDING)
    reason = models.CharField(max_length=200, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    # Set by the import that settled the line, in the same transaction that made the import:
    # no per-row constraint check on half a million updates.
    result_import = models.ForeignKey(
        "ResultImport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines",
        db_constraint=False,
    )

    class Meta:
        ordering = ["batch", "id"]
        indexes = [
            models.Index(
                fields=["participant"],
                condition=models.Q(result="pending"),
                name="payment_line_pending_person",
            )
        ]
        constraints = [
            # While a line waits for the bank, its instalment is in no other batch.
            models.UniqueConstraint(
                fields=["instalment"],
                condition=models.Q(result="pending"),
                name="payment_line_one_open_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"line {self.pk}"


class ResultImport(models.Model):
    """One bank result file, by its SHA-256: the same file imported twice changes nothing."""

    sha256 = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    lines_total = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    # [{"line": n, "code": ..., "message": ...}] for every line not applied.
    problems = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"result import {self.pk}"


class PaymentMovement(models.Model):
    """The payments ledger: append-only, double-entry. Each row moves ``amount`` of one
    instalment from the bucket ``source`` to the bucket ``target``; a bucket's balance is
    what came in minus what went out, and the buckets always sum to zero."""

    class Bucket(models.TextChoices):
        ENTITLEMENT = "entitlement", _("Hak insentif")
        DUE = "due", _("Siap dibayar")
        IN_BATCH = "in_batch", _("Dalam batch")
        PAID = "paid", _("Dibayar")

    class Kind(models.TextChoices):
        DUE = "due", _("Jatuh tempo")
        BATCHED = "batched", _("Masuk batch")
        PAID = "paid", _("Dibayar")
        FAILED = "failed", _("Gagal, kembali siap dibayar")
        RETURNED = "returned", _("Dikembalikan bank, kembali siap dibayar")

    # Written only by ``payments.services.ledger``, set-based, from the instalments and lines
    # of the same transaction: the instalment is the one constrained key; the others are
    # copies without a per-row constraint check or an index the reads do not use.
    participant = models.ForeignKey(
        "enrolment.Participant",
        on_delete=models.PROTECT,
        related_name="payment_movements",
        db_constraint=False,
    )
    instalment = models.ForeignKey(
        Instalment, on_delete=models.PROTECT, related_name="movements", db_index=False
    )
    line = models.ForeignKey(
        PaymentLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    result_import = models.ForeignKey(
        ResultImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=12, choices=Bucket.choices)
    target = models.CharField(max_length=12, choices=Bucket.choices)
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["participant", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="movement_amount_gt_0"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="movement_two_buckets"
            ),
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"
