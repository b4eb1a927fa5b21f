"""The dashboard's one source: counts per WIB day, pre-aggregated (SPEC §3.7, issue 16).

The leaders' dashboard and the public statistics read these tables only, never the
registrations themselves: with 6,000,000 registrations a page must not scan them.
``reports.refresh`` rebuilds the rows of the days that changed since the last refresh.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    """What a row counts. The first eight are the funnel, in its order."""

    REGISTERED = "registered", _("Mulai mendaftar")
    PHONE_VERIFIED = "phone_verified", _("Nomor HP terverifikasi")
    COMPLETE = "complete", _("Pendaftaran lengkap")
    TESTED = "tested", _("Ikut tes")
    JOINED = "joined", _("Bergabung ke gelombang")
    SELECTED = "selected", _("Terpilih")
    ENROLLED = "enrolled", _("Membeli pelatihan")
    COMPLETED = "completed", _("Menyelesaikan pelatihan")
    POST_VISIT = "post_visit", _("Orang dilayani di posko")
    CALL_CONFIRMATION = "call_confirmation", _("Konfirmasi status lewat call center")
    WORKER_REPORT = "worker_report", _("Pekerja terdampak dilaporkan")


FUNNEL: tuple[Metric, ...] = (
    Metric.REGISTERED,
    Metric.PHONE_VERIFIED,
    Metric.COMPLETE,
    Metric.TESTED,
    Metric.JOINED,
    Metric.SELECTED,
    Metric.ENROLLED,
    Metric.COMPLETED,
)


class DailyCount(models.Model):
    """One count per (WIB day, metric, channel, regency, post, category).

    The dimensions are plain values, not foreign keys, and never NULL ("" and 0 mean "none"),
    so the unique constraint holds (NULLs are all distinct to it) and a refresh can replace a
    day's rows with one DELETE and one ``INSERT … SELECT``. Names of regencies and posts are
    looked up in their small tables when a page is drawn.
    """

    day = models.DateField(_("tanggal (WIB)"))
    metric = models.CharField(_("ukuran"), max_length=20, choices=Metric.choices)
    channel = models.CharField(_("kanal"), max_length=12, blank=True, default="")
    regency = models.CharField(_("kode kabupaten/kota"), max_length=5, blank=True, default="")
    post = models.PositiveIntegerField(_("id posko"), default=0)
    # Worker reports: their category (labourdata.Category); "" for every other metric.
    category = models.CharField(_("kategori"), max_length=20, blank=True, default="")
    value = models.PositiveIntegerField(_("jumlah"))

    class Meta:
        verbose_name = _("hitungan harian")
        verbose_name_plural = _("hitungan harian")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "metric", "channel", "regency", "post", "category"],
                name="dailycount_one_per_cell",
            )
        ]
        # Every page question is "metric(s) over a period"; the unique index leads with day.
        indexes = [models.Index(fields=["metric", "day"], name="dailycount_metric_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.metric}={self.value}"


class QuotaFill(models.Model):
    """Quota and the places taken per wave and regency, rebuilt whole by every refresh (a few
    hundred rows: waves × regencies with a quota)."""

    wave = models.PositiveIntegerField(_("id gelombang"))
    wave_name = models.CharField(_("gelombang"), max_length=100)
    regency = models.CharField(_("kode kabupaten/kota"), max_length=5)
    quota = models.PositiveIntegerField(_("kuota"))
    filled = models.PositiveIntegerField(_("peserta aktif"))
    enrolled = models.PositiveIntegerField(_("sudah membeli pelatihan"))

    class Meta:
        verbose_name = _("keterisian kuota")
        verbose_name_plural = _("keterisian kuota")
        constraints = [
            models.UniqueConstraint(fields=["wave", "regency"], name="quotafill_one_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.wave}:{self.regency} {self.filled}/{self.quota}"


class RefreshState(models.Model):
    """One row (pk 1): when the tables were last refreshed. Its row lock serialises refreshes
    (two at once would each delete a day and insert it again: duplicate cells)."""

    refreshed_at = models.DateTimeField(_("terakhir diperbarui"), null=True, blank=True)
    # The database's clock when that refresh started: the next one looks for changes after it.
    watermark = models.DateTimeField(null=True, blank=True)
    days_refreshed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("status pembaruan laporan")
        verbose_name_plural = _("status pembaruan laporan")

    def __str__(self) -> str:
        return f"{self.refreshed_at}"
