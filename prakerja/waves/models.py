"""Waves (gelombang), quotas and the affirmative selection (SPEC §3.5).

A programme has waves; each wave has a total quota split over regencies (``RegencyQuota``).
Applicants join a wave (``WaveEntry``); a ``SelectionRun`` ranks the joined applicants of a
closed wave per regency by priority (weights are data, in ``WaveSettings``) and a seeded lottery,
and stores one ``SelectionResult`` per eligible applicant. The registration-test score is never
an input. See ``prakerja.waves.selection`` for the SQL.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class WaveSettings(models.Model):
    """Programme-level rules of the selection: how applicants join and the priority weights.

    Every weight is an integer added to an applicant's priority when the condition holds; the
    help text (Indonesian) is what the public "how we select" page shows.
    """

    class JoinMode(models.TextChoices):
        EXPLICIT = "explicit", _("Pendaftar memilih bergabung ke gelombang")
        AUTOMATIC = "automatic", _("Pendaftar lengkap otomatis masuk gelombang yang dibuka")

    programme = models.OneToOneField(
        "registry.Programme", on_delete=models.CASCADE, related_name="wave_settings"
    )
    join_mode = models.CharField(
        _("cara bergabung"), max_length=10, choices=JoinMode.choices, default=JoinMode.EXPLICIT
    )
    weight_reported_by_disnaker = models.PositiveIntegerField(
        _("bobot: dilaporkan Disnaker"),
        default=100,
        help_text=_("Ditambahkan bila pendaftar cocok dengan data pekerja terdampak Disnaker."),
    )
    weight_laid_off = models.PositiveIntegerField(
        _("bobot: korban PHK"),
        default=40,
        help_text=_("Ditambahkan bila status pekerjaan pendaftar adalah korban PHK."),
    )
    weight_furloughed = models.PositiveIntegerField(
        _("bobot: dirumahkan"),
        default=30,
        help_text=_("Ditambahkan bila pendaftar dirumahkan oleh tempat kerjanya."),
    )
    weight_migrant_worker = models.PositiveIntegerField(
        _("bobot: pekerja migran"),
        default=30,
        help_text=_("Ditambahkan bila pendaftar adalah pekerja migran Indonesia (PMI)."),
    )
    weight_laid_off_pre_covid = models.PositiveIntegerField(
        _("bobot: PHK sebelum COVID-19"),
        default=10,
        help_text=_("Ditambahkan bila pendaftar terkena PHK sebelum pandemi COVID-19."),
    )
    weight_disability = models.PositiveIntegerField(
        _("bobot: penyandang disabilitas"),
        default=20,
        help_text=_("Ditambahkan bila pendaftar adalah penyandang disabilitas."),
    )
    reserved_share = models.DecimalField(
        _("porsi kuota untuk pekerja yang dilaporkan Disnaker"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_(
            "Bagian kuota tiap kabupaten/kota (0–1, mis. 0,8) yang lebih dulu diisi pekerja "
            "yang dilaporkan Disnaker. Kosong: tidak ada porsi khusus."
        ),
    )
    kk_cap = models.PositiveSmallIntegerField(
        _("maksimal terpilih per KK dalam satu seleksi"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Jumlah anggota satu Kartu Keluarga yang paling banyak terpilih."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pengaturan seleksi")
        verbose_name_plural = _("pengaturan seleksi")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reserved_share__isnull=True)
                | models.Q(reserved_share__gte=0, reserved_share__lte=1),
                name="wave_settings_reserved_share_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}"


class Wave(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        OPEN = "open", _("Dibuka")
        CLOSED = "closed", _("Ditutup")
        PUBLISHED = "published", _("Diumumkan")

    programme = models.ForeignKey(
        "registry.Programme", on_delete=models.PROTECT, related_name="waves"
    )
    number = models.PositiveSmallIntegerField(_("nomor gelombang"))
    name = models.CharField(_("nama"), max_length=100)
    opens_at = models.DateTimeField(_("pendaftaran dibuka"))
    closes_at = models.DateTimeField(_("pendaftaran ditutup"))
    total_quota = models.PositiveIntegerField(_("kuota total"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("gelombang")
        verbose_name_plural = _("gelombang")
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="wave_number_unique"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="wave_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RegencyQuota(models.Model):
    class Method(models.TextChoices):
        MANUAL = "manual", _("Diisi manual")
        ALLOCATED = "allocated", _("Dialokasikan proporsional")
        CAPACITY = "capacity", _("Dialokasikan menurut pendaftar dan kapasitas pelatihan")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="quotas")
    regency = models.ForeignKey("regions.Regency", on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField(_("kuota"))
    # The two inputs of an allocation "by demand and training capacity", kept with the quota so
    # the page and the audit show why a regency got its seats: submitted registrations, and
    # the verified training capacity for the wave's period.
    demand = models.PositiveIntegerField(_("pendaftar"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("kapasitas pelatihan"), null=True, blank=True)
    method = models.CharField(
        _("cara penetapan"), max_length=10, choices=Method.choices, default=Method.MANUAL
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["wave", "regency"]
        verbose_name = _("kuota kabupaten/kota")
        verbose_name_plural = _("kuota kabupaten/kota")
        constraints = [
            models.UniqueConstraint(fields=["wave", "regency"], name="regency_quota_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}:{self.regency_id}={self.quota}"


class WaveEntry(models.Model):
    """An applicant in a wave: joined, on the waiting list, or the outcome once published."""

    class Status(models.TextChoices):
        JOINED = "joined", _("Terdaftar di gelombang")
        WAITING = "waiting", _("Daftar tunggu")
        SELECTED = "selected", _("Terpilih")
        NOT_SELECTED = "not_selected", _("Belum terpilih")
        CARRIED_OVER = "carried_over", _("Dialihkan ke gelombang berikutnya")
        # Selected, then lost the place: no training bought by the deadline (enrolment app).
        REVOKED = "revoked", _("Kepesertaan dicabut")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="entries")
    registration = models.ForeignKey(
        "registry.Registration", on_delete=models.CASCADE, related_name="wave_entries"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.JOINED
    )
    # Step codes of the registration still missing at close (registry.steps), for the waiting list.
    missing_items = models.JSONField(_("kelengkapan yang kurang"), default=list, blank=True)
    joined_at = models.DateTimeField(_("bergabung"), auto_now_add=True)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["wave", "joined_at"]
        verbose_name = _("peserta gelombang")
        verbose_name_plural = _("peserta gelombang")
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "registration"], name="wave_entry_once_per_wave"
            ),
        ]
        indexes = [models.Index(fields=["wave", "status"])]

    def __str__(self) -> str:
        return f"{self.wave_id}:{self.registration_id}:{self.status}"


class JoinBlock(models.Model):
    """A registration that may not join any wave before ``until``.

    Written by the enrolment app when it revokes a participant who bought no training by the
    deadline (the programme's ``revoked_block_days``); read here, on every way into a wave
    (``wave_join``, joining everyone at open/close). The waves app never imports enrolment:
    this row is all it needs to know.
    """

    registration = models.ForeignKey(
        "registry.Registration", on_delete=models.CASCADE, related_name="+"
    )
    # The wave whose place was lost.
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField(_("tidak dapat ikut gelombang sampai"))
    reason = models.CharField(_("alasan"), max_length=100)
    created_at = models.DateTimeField(_("dibuat"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["registration", "-until"]
        verbose_name = _("larangan ikut gelombang")
        verbose_name_plural = _("larangan ikut gelombang")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "wave"], name="join_block_once_per_wave"
            ),
        ]
        indexes = [models.Index(fields=["registration", "until"])]

    def __str__(self) -> str:
        return f"{self.registration_id} until {self.until:%Y-%m-%d}"


class SelectionRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu diproses")
        RUNNING = "running", _("Sedang diproses")
        READY = "ready", _("Hasil uji coba siap")
        FAILED = "failed", _("Gagal")
        APPROVED = "approved", _("Disetujui")
        PUBLISHED = "published", _("Diumumkan")
        SUPERSEDED = "superseded", _("Digantikan")
        REJECTED = "rejected", _("Ditolak")

    # Statuses in which a run is still "the" run of its wave: at most one at a time.
    LIVE_STATUSES = ("queued", "running", "ready", "approved", "published")

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # Published (shown on the run page and in the audit) before the job runs.
    seed = models.CharField(_("benih undian"), max_length=64)
    seed_published_at = models.DateTimeField(_("benih diumumkan"))
    parameters = models.JSONField(_("parameter"), default=dict)
    input_hash = models.CharField(_("hash masukan"), max_length=64, blank=True)
    result_hash = models.CharField(_("hash hasil"), max_length=64, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("kemajuan (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    error = models.CharField(_("galat"), max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # The second manager may refuse a dry run instead of approving it, saying why; the wave
    # can then be run again (a rejected run is not live).
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_comment = models.CharField(_("alasan penolakan"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proses seleksi")
        verbose_name_plural = _("proses seleksi")
        constraints = [
            # A run started twice at once: the second insert fails on this index.
            models.UniqueConstraint(
                fields=["wave"],
                condition=models.Q(status__in=["queued", "running"]),
                name="selection_run_one_in_progress_per_wave",
            ),
            models.UniqueConstraint(
                fields=["wave"],
                condition=models.Q(status="published"),
                name="selection_run_one_published_per_wave",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="selection_run_progress_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class SelectionResult(models.Model):
    """One applicant of a run (ranked or excluded), written by one INSERT … SELECT.

    No database foreign-key constraints (``db_constraint=False``): the rows are derived by the
    insert itself from existing entries, and a per-row FK trigger on millions of rows would
    cost more than the whole selection on PostgreSQL. Deleting a run or a registration still
    cascades (Django's collector). The primary key is ``(run, registration)``: one index to
    maintain per row instead of two, and no sequence call per row.

    No simple-history on purpose: these rows are written once and never changed, so the table
    is its own audit record. Together with its run (which has history) it holds who, when
    and what: who started, approved and published the run and when (``created_by``,
    ``approved_by``/``approved_at``, ``published_by``/``published_at``), the published seed,
    the parameters and the input/result hashes, and per applicant the priority, lottery
    number, rank and ``reason_code``. The entries' status changes at publication are in
    ``WaveEntry``'s history, with the publishing user.
    """

    class Reason(models.TextChoices):
        SELECTED_PRIORITY = "selected_priority", _("Terpilih berdasarkan prioritas")
        SELECTED_RESERVED = (
            "selected_reserved",
            _("Terpilih melalui porsi pekerja yang dilaporkan Disnaker"),
        )
        QUOTA_FULL = "quota_full", _("Kuota kabupaten/kota sudah terpenuhi")
        KK_CAP = "kk_cap", _("Anggota lain dari KK yang sama sudah terpilih")
        INELIGIBLE = "ineligible", _("Tidak memenuhi syarat")
        ALREADY_SELECTED = "already_selected", _("Sudah pernah terpilih di gelombang sebelumnya")
        NO_QUOTA = "no_quota", _("Kabupaten/kota domisili tidak mendapat kuota")

    pk = models.CompositePrimaryKey("run", "registration")
    run = models.ForeignKey(
        SelectionRun,
        on_delete=models.CASCADE,
        related_name="results",
        db_index=False,  # the primary key (run, registration) serves lookups by run
        db_constraint=False,
    )
    registration = models.ForeignKey(
        "registry.Registration",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    regency = models.ForeignKey(
        "regions.Regency",
        on_delete=models.DO_NOTHING,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    priority = models.IntegerField(_("prioritas"))
    lottery = models.BigIntegerField(_("undian"))
    rank_in_regency = models.IntegerField(_("peringkat di kabupaten/kota"), null=True)
    selected = models.BooleanField(_("terpilih"))
    reserved = models.BooleanField(_("melalui porsi khusus"), default=False)
    reported_by_disnaker = models.BooleanField(_("dilaporkan Disnaker"), default=False)
    reason_code = models.CharField(_("alasan"), max_length=20, choices=Reason.choices)

    class Meta:
        verbose_name = _("hasil seleksi")
        verbose_name_plural = _("hasil seleksi")

    def __str__(self) -> str:
        return f"{self.run_id}:{self.registration_id}:{self.reason_code}"


class Announcement(models.Model):
    """The announcement of one applicant's result of one wave, by SMS (and email when given).

    The row is the claim: ``prakerja.waves.announcements`` inserts it (unique per wave and
    registration) *before* sending, so a job run twice, or two workers on the same wave, never
    text anybody twice. A crash between the claim and the gateway leaves a row with neither
    ``sms_sent_at`` nor ``error``: at most once, never twice, and visible for a manual resend.
    """

    class Outcome(models.TextChoices):
        SELECTED = "selected", _("Terpilih")
        NOT_SELECTED = "not_selected", _("Belum terpilih")
        WAITING = "waiting", _("Daftar tunggu")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="announcements")
    registration = models.ForeignKey(
        "registry.Registration", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    outcome = models.CharField(_("hasil"), max_length=12, choices=Outcome.choices)
    # Which job execution claimed the row: the claim is a bulk INSERT … ON CONFLICT DO NOTHING,
    # and the rows carrying this job's token are the ones it may send.
    claim = models.CharField(max_length=36)
    claimed_at = models.DateTimeField(_("diklaim"))
    sms_sent_at = models.DateTimeField(_("SMS terkirim"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("email terkirim"), null=True, blank=True)
    error = models.CharField(_("galat"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("pengumuman hasil")
        verbose_name_plural = _("pengumuman hasil")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "wave"], name="announcement_once_per_applicant_wave"
            ),
        ]
        indexes = [models.Index(fields=["wave", "claim"], name="announcement_claim_idx")]

    def __str__(self) -> str:
        return f"{self.wave_id}:{self.registration_id}:{self.outcome}"
