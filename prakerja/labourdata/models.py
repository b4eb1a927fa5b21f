"""Labour-office data: imported lists of affected workers and of JPS recipients (SPEC §3.4).

An upload is an ``ImportBatch``; every data row of the file becomes one ``ImportRow`` with its
status (accepted, rejected with per-cell reasons, duplicate), so nothing is lost and a rejected
row can be handed back for correction. Accepted worker rows become ``WorkerReport`` rows of one
``ReportedWorker`` per person: the same worker reported by a company and by the Disnaker is one
person with two reports. The person is the ``identity.Person`` of that NIK, so an exact NIK match
with a registrant (whose ``Registration.person`` is that same row) needs no linkage at all.

No NIK is stored in plain text here either: the person holds it encrypted with a blind index,
and the original cells of a rejected or duplicate row are kept only as Fernet-encrypted JSON
(``raw_encrypted``; empty for accepted rows, whose values are in their report).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The same choices as a registration's: a report and a registration describe one person alike.
from prakerja.registry.models import Gender, MigrantReason


class Kind(models.TextChoices):
    WORKERS = "workers", _("Pekerja terdampak")
    JPS = "jps", _("Penerima JPS")


class Source(models.TextChoices):
    COMPANY = "company", _("Laporan perusahaan")
    REGENCY_DISNAKER = "regency_disnaker", _("Disnaker kabupaten/kota")
    PROVINCE = "province", _("Disnakertrans provinsi")
    MINISTRY = "ministry", _("Daftar nasional Kemnaker")


class Category(models.TextChoices):
    LAID_OFF = "laid_off", _("PHK")
    FURLOUGHED = "furloughed", _("Dirumahkan")
    MIGRANT = "migrant", _("Pekerja migran (PMI)")
    LAID_OFF_PRE_COVID = "laid_off_pre_covid", _("PHK sebelum COVID-19")


class ImportBatch(models.Model):
    """One uploaded file. ``completed`` is set only in the transaction that stores the last rows,
    so a batch that says "selesai" holds every row of its file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Diproses")
        COMPLETED = "completed", _("Selesai")
        FAILED = "failed", _("Gagal")

    kind = models.CharField(_("jenis data"), max_length=10, choices=Kind.choices)
    source = models.CharField(
        _("sumber"), max_length=20, choices=Source.choices, blank=True, default=""
    )
    original_name = models.CharField(_("nama berkas"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("ukuran (byte)"))
    # The upload itself, Fernet-encrypted (it holds NIKs), kept until the job has read it.
    file_encrypted = models.BinaryField(_("berkas (terenkripsi)"), blank=True, default=b"")
    # The regency the uploader was bound to when uploading ("" = whole province); the job
    # refuses rows of other regencies with a per-row reason.
    scope_regency = models.ForeignKey(
        "regions.Regency",
        verbose_name=_("wilayah pengunggah"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("jumlah baris"), default=0)
    rows_done = models.PositiveIntegerField(_("baris diproses"), default=0)
    rows_accepted = models.PositiveIntegerField(_("baris diterima"), default=0)
    rows_rejected = models.PositiveIntegerField(_("baris ditolak"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("baris ganda"), default=0)
    error_code = models.CharField(_("kode galat"), max_length=64, blank=True)
    error_message = models.TextField(_("pesan galat"), blank=True)
    # The workbook sheet the uploader asked for ("" = found by its header row).
    sheet_name = models.CharField(_("lembar"), max_length=100, blank=True, default="")
    # What the job accepted but changed, for the uploader to check: columns ignored, a totals
    # row skipped, the sheet used. [{"code": "labourdata.…", "message": "…"}], no cell values.
    notes = models.JSONField(_("catatan impor"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diunggah oleh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai diproses"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai diproses"), null=True, blank=True)
    # When the retention job deleted the file and the cells of its rejected and duplicate rows
    # (``labourdata.retention``); the rejected-rows download then says so instead.
    data_deleted_at = models.DateTimeField(_("data baris dihapus"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("impor data")
        verbose_name_plural = _("impor data")
        constraints = [
            # The same file twice is the same batch: a re-upload changes nothing.
            models.UniqueConstraint(fields=["kind", "sha256"], name="labourdata_batch_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.COMPLETED:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.FAILED)


class ImportDataDeletion(models.Model):
    """Audit record of one retention deletion: which batch, when, by whom (empty: the
    scheduled job), under which rule, and how much was deleted. Holds no personal data."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("impor"), on_delete=models.PROTECT, related_name="deletions"
    )
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dihapus oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("dihapus pada"), auto_now_add=True)
    retention_days = models.PositiveSmallIntegerField(_("masa simpan (hari)"))
    reason = models.CharField(_("alasan"), max_length=200)
    rows_cleared = models.PositiveIntegerField(_("baris yang isinya dihapus"), default=0)
    file_bytes_cleared = models.PositiveBigIntegerField(
        _("ukuran berkas dihapus (byte)"), default=0
    )

    class Meta:
        ordering = ["-deleted_at"]
        verbose_name = _("penghapusan data impor")
        verbose_name_plural = _("penghapusan data impor")

    def __str__(self) -> str:
        return f"{self.batch_id} {self.deleted_at:%Y-%m-%d}"


class ImportRow(models.Model):
    """One data row of an uploaded file, whatever became of it."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Diterima")
        REJECTED = "rejected", _("Ditolak")
        DUPLICATE = "duplicate", _("Ganda")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    # The spreadsheet row number the uploader sees (header = 1, first data row = 2).
    row_number = models.PositiveIntegerField(_("nomor baris"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # [{"column": "NIK", "code": "nik.length", "message": "…"}] — never the cell's value.
    errors = models.JSONField(_("alasan"), default=list, blank=True)
    # Fernet-encrypted JSON {column: cell text} of the original row, for the rejected-rows file;
    # empty for accepted rows (their values are in the report the row created).
    raw_encrypted = models.TextField(_("isi baris (terenkripsi)"))

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("baris impor")
        verbose_name_plural = _("baris impor")
        constraints = [
            # Keys the chunked inserts: a job re-run after a crash cannot store a row twice.
            models.UniqueConstraint(fields=["batch", "row_number"], name="labourdata_row_once"),
        ]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.status}"


class ReportedWorker(models.Model):
    """One person reported as affected by at least one source."""

    person = models.OneToOneField(
        "identity.Person",
        verbose_name=_("orang"),
        on_delete=models.PROTECT,
        related_name="reported_worker",
    )
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender.choices, blank=True)
    regency = models.ForeignKey(
        "regions.Regency",
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("nomor HP"), max_length=16, blank=True)
    first_reported_at = models.DateTimeField(_("pertama dilaporkan"), auto_now_add=True)

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("pekerja terdampak")
        verbose_name_plural = _("pekerja terdampak")

    def __str__(self) -> str:
        return self.full_name


class WorkerReport(models.Model):
    """One source's report of one worker, as that source wrote it."""

    worker = models.ForeignKey(ReportedWorker, on_delete=models.PROTECT, related_name="reports")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="reports")
    row_number = models.PositiveIntegerField(_("nomor baris"))
    source = models.CharField(_("sumber"), max_length=20, choices=Source.choices)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    migrant_reason = models.CharField(
        _("keterangan PMI"), max_length=20, choices=MigrantReason.choices, blank=True
    )
    regency = models.ForeignKey(
        "regions.Regency",
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    company = models.CharField(_("perusahaan"), max_length=200, blank=True)
    report_date = models.DateField(_("tanggal laporan"), null=True, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=16, blank=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("laporan pekerja")
        verbose_name_plural = _("laporan pekerja")
        constraints = [
            models.UniqueConstraint(fields=["worker", "batch"], name="labourdata_report_once"),
        ]
        indexes = [models.Index(fields=["category", "regency"])]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.category} ({self.source})"


class JpsRecipient(models.Model):
    """One person receiving one social-safety-net (JPS) programme in one period."""

    class Programme(models.TextChoices):
        PKH = "PKH", "PKH"
        BPNT = "BPNT", "BPNT"
        BST = "BST", "BST"
        BLT_DANA_DESA = "BLT Dana Desa", "BLT Dana Desa"
        KARTU_SEMBAKO = "Kartu Sembako", "Kartu Sembako"

    person = models.ForeignKey(
        "identity.Person",
        verbose_name=_("orang"),
        on_delete=models.PROTECT,
        related_name="jps_receipts",
    )
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="jps_recipients")
    row_number = models.PositiveIntegerField(_("nomor baris"), default=0)
    full_name = models.CharField(_("nama lengkap"), max_length=150)
    # Free text: regencies run their own programmes; the choices above are the common ones.
    programme = models.CharField(_("program"), max_length=60)
    amount = models.PositiveBigIntegerField(_("nilai (Rp)"), null=True, blank=True)
    period = models.CharField(_("periode"), max_length=20)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("penerima JPS")
        verbose_name_plural = _("penerima JPS")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "programme", "period"], name="labourdata_jps_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.period}"


class SisnakerImport(models.Model):
    """One upload of the ministry's list of training institutions (Sisnaker), reconciled with
    the providers registered here when it is read (``labourdata.sisnaker``)."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    original_name = models.CharField(_("nama berkas"), max_length=200)
    rows_total = models.PositiveIntegerField(default=0)
    # [{"row": 7, "message": "…"}] for rows that could not be read (nothing else is stored).
    rejected = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("impor daftar Sisnaker")
        verbose_name_plural = _("impor daftar Sisnaker")

    def __str__(self) -> str:
        return self.original_name


class SisnakerInstitution(models.Model):
    """One institution of an imported Sisnaker list, as the ministry wrote it."""

    list_import = models.ForeignKey(
        SisnakerImport, on_delete=models.CASCADE, related_name="institutions"
    )
    row_number = models.PositiveIntegerField()
    sisnaker_number = models.CharField(_("nomor Sisnaker"), max_length=50, blank=True)
    name = models.CharField(_("nama lembaga"), max_length=200)
    regency = models.ForeignKey("regions.Regency", on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    yearly_capacity = models.PositiveIntegerField(_("kapasitas per tahun"), null=True, blank=True)

    class Meta:
        ordering = ["list_import", "row_number"]
        verbose_name = _("lembaga di Sisnaker")
        verbose_name_plural = _("lembaga di Sisnaker")

    def __str__(self) -> str:
        return self.name


class SisnakerMatch(models.Model):
    """A provider registered here paired with an institution of the list: by Sisnaker number,
    by a near-certain name (automatic), or a likely name waiting for a data officer."""

    class Status(models.TextChoices):
        BY_NUMBER = "by_number", _("Cocok menurut nomor Sisnaker")
        AUTOMATIC = "automatic", _("Cocok menurut nama")
        REVIEW = "review", _("Perlu diperiksa petugas")
        CONFIRMED = "confirmed", _("Dikonfirmasi petugas")
        REJECTED = "rejected", _("Ditolak petugas: bukan lembaga yang sama")

    MATCHED = ("by_number", "automatic", "confirmed")

    institution = models.OneToOneField(
        SisnakerInstitution, on_delete=models.CASCADE, related_name="match"
    )
    provider = models.ForeignKey(
        "training.Provider", on_delete=models.CASCADE, related_name="sisnaker_matches"
    )
    score = models.PositiveSmallIntegerField(_("kemiripan nama (0–100)"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pasangan Sisnaker")
        verbose_name_plural = _("pasangan Sisnaker")

    def __str__(self) -> str:
        return f"{self.institution_id}~{self.provider_id}:{self.status}"
