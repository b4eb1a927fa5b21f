"""Record linkage of reported workers to registrants, outreach and JPS review (SPEC §3.4).

A ``Link`` says "this reported worker is this registrant", with how we know (same NIK, or a
Splink score) and who decided. Only links in the states ``LINKED`` and ``ACCEPTED`` count: they
set ``Registration.reported_by_disnaker``, which the selection weights. Uncertain pairs wait as
``PENDING`` in the review queue; a rejected pair stays ``REJECTED`` so no later run proposes it
again. Every change is in the history table (who, when, why).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class LinkageRun(models.Model):
    """One run of the linkage job, with its progress for the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Berjalan")
        COMPLETED = "completed", _("Selesai")
        FAILED = "failed", _("Gagal")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(_("tahap"), max_length=60, blank=True)
    percent = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    workers_considered = models.PositiveIntegerField(_("pekerja diperiksa"), default=0)
    exact_links = models.PositiveIntegerField(_("cocok NIK"), default=0)
    auto_links = models.PositiveIntegerField(_("cocok otomatis"), default=0)
    review_pairs = models.PositiveIntegerField(_("perlu ditinjau"), default=0)
    error_message = models.TextField(_("pesan galat"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dijalankan oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    # Last sign of life of the job (start and every progress step): a run whose worker died
    # stops blocking new runs once this is old (linkage.services.runs.LINKAGE_RUN_STALE_AFTER).
    progress_at = models.DateTimeField(_("kemajuan terakhir"), null=True, blank=True)
    # The Splink model this run trained and scored with (settings JSON: comparisons, levels,
    # m and u): what each of its links' weights came from.
    model = models.JSONField(_("model pencocokan"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proses pencocokan")
        verbose_name_plural = _("proses pencocokan")

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.FAILED)


class Link(models.Model):
    class Method(models.TextChoices):
        EXACT_NIK = "exact_nik", _("NIK sama")
        PROBABILISTIC = "probabilistic", _("Kemiripan data (Splink)")

    class Status(models.TextChoices):
        LINKED = "linked", _("Tertaut otomatis")
        PENDING = "pending", _("Perlu ditinjau")
        ACCEPTED = "accepted", _("Diterima petugas")
        REJECTED = "rejected", _("Ditolak petugas")
        UNLINKED = "unlinked", _("Dilepas")

    ACTIVE = (Status.LINKED, Status.ACCEPTED)

    worker = models.ForeignKey(
        "labourdata.ReportedWorker",
        verbose_name=_("pekerja terdampak"),
        on_delete=models.PROTECT,
        related_name="links",
    )
    registration = models.ForeignKey(
        "registry.Registration",
        verbose_name=_("pendaftaran"),
        on_delete=models.PROTECT,
        related_name="disnaker_links",
    )
    method = models.CharField(_("metode"), max_length=16, choices=Method.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    match_probability = models.FloatField(_("peluang cocok"))
    match_weight = models.FloatField(_("bobot kecocokan"), null=True, blank=True)
    # {"nama": {"level": "beda 1 huruf", "weight": 8.6}, ...}: what Splink saw, no values.
    evidence = models.JSONField(_("bukti"), default=dict, blank=True)
    run = models.ForeignKey(
        LinkageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diputus oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("diputus pada"), null=True, blank=True)
    reason = models.CharField(_("alasan"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-match_probability", "pk"]
        verbose_name = _("tautan data Disnaker")
        verbose_name_plural = _("tautan data Disnaker")
        constraints = [
            # A job run twice proposes each pair once.
            models.UniqueConstraint(fields=["worker", "registration"], name="linkage_pair_once"),
        ]
        indexes = [models.Index(fields=["status", "worker"])]

    def __str__(self) -> str:
        return f"{self.worker_id}↔{self.registration_id} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class OutreachInvitation(models.Model):
    """One SMS invitation to one reported worker in one campaign (wave).

    The campaign is the wave's key (``services.outreach_campaign``: "gelombang:<id>"), and
    invitations are sent only for waves still open or yet to open. The unique constraint is
    what guarantees at most one SMS per person per wave, whatever the job does when it is run
    twice or concurrently.
    """

    worker = models.ForeignKey(
        "labourdata.ReportedWorker",
        verbose_name=_("pekerja terdampak"),
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    campaign = models.CharField(_("kampanye/gelombang"), max_length=40)
    sent_at = models.DateTimeField(_("dikirim"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dikirim oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("undangan SMS")
        verbose_name_plural = _("undangan SMS")
        constraints = [
            models.UniqueConstraint(fields=["worker", "campaign"], name="outreach_once_per_wave")
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.campaign}"


class DataExport(models.Model):
    """An export of personal data (names, phone numbers) for the call centres: who took which
    list, when and how many people it held (UU PDP 27/2022: a disclosure is logged)."""

    class Kind(models.TextChoices):
        OUTREACH = "outreach", _("Daftar penjangkauan")
        JPS_MONITORING = "jps_monitoring", _("Pemantauan JPS")
        REGIONAL_MINISTRY = "regional_ministry", _("Daerah vs Kemnaker")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pengekspor"), on_delete=models.PROTECT
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    file_format = models.CharField(_("format"), max_length=4)
    regency = models.ForeignKey(
        "regions.Regency",
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    row_count = models.PositiveIntegerField(_("jumlah orang"))
    created_at = models.DateTimeField(_("waktu ekspor"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ekspor data pribadi")
        verbose_name_plural = _("ekspor data pribadi")

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class JpsReviewCase(models.Model):
    """A selected (or registered) applicant who also receives social-safety-net aid: a data
    officer of their regency decides whether the JPS continues, stops or is adjusted."""

    class Trigger(models.TextChoices):
        JPS_IMPORT = "jps_import", _("Impor daftar JPS")
        SELECTION = "selection", _("Hasil seleksi diumumkan")

    class Status(models.TextChoices):
        OPEN = "open", _("Terbuka")
        RESOLVED = "resolved", _("Selesai")

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("JPS dilanjutkan")
        STOP = "stop", _("JPS dihentikan")
        ADJUST = "adjust", _("JPS disesuaikan")

    registration = models.ForeignKey(
        "registry.Registration",
        verbose_name=_("pendaftaran"),
        on_delete=models.PROTECT,
        related_name="jps_cases",
    )
    recipient = models.ForeignKey(
        "labourdata.JpsRecipient",
        verbose_name=_("penerimaan JPS"),
        on_delete=models.PROTECT,
        related_name="review_cases",
    )
    regency = models.ForeignKey(
        "regions.Regency",
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    trigger = models.CharField(_("pemicu"), max_length=12, choices=Trigger.choices)
    selection_ref = models.CharField(_("seleksi"), max_length=60, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("petugas"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jps_cases",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decision = models.CharField(_("keputusan"), max_length=10, choices=Decision.choices, blank=True)
    reason = models.TextField(_("alasan"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diputus oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("diputus pada"), null=True, blank=True)
    opened_at = models.DateTimeField(_("dibuka"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-opened_at"]
        verbose_name = _("kasus tinjauan JPS")
        verbose_name_plural = _("kasus tinjauan JPS")
        constraints = [
            # Importing the list twice, or publishing after an import, opens one case.
            models.UniqueConstraint(fields=["registration", "recipient"], name="jps_case_once"),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(decision=""), name="jps_case_resolved_has_decision"
            ),
        ]
        indexes = [models.Index(fields=["regency", "status"])]

    def __str__(self) -> str:
        return f"JPS {self.pk} {self.status}"
