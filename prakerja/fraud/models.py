"""Fraud and error signals (issue 15, item 6): computed set-based by a scheduled job, each
with its evidence, reviewed by a person. Nothing is blocked automatically.

``SignalRule`` holds each kind's thresholds as data (a manager changes them in the admin);
``Signal`` is one finding per (kind, key): the job updates the evidence of a finding it sees
again, and a finding marked a false alarm comes back only when its evidence grows. The key
never holds a phone, e-mail or account number in plain text (a keyed hash, or row ids).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    PHONE_SHARED = "phone_shared", _("Banyak NIK memakai satu nomor HP")
    EMAIL_SHARED = "email_shared", _("Banyak NIK memakai satu alamat email")
    ACCOUNT_SHARED = "account_shared", _("Banyak peserta memakai satu rekening")
    ACCOUNT_REFUSED = "account_refused", _("Rekening orang lain dicoba didaftarkan")
    ADDRESS_BURST = "address_burst", _("Banyak pendaftaran dari satu alamat dalam sehari")
    OFFICER_VOLUME = "officer_volume", _("Petugas mendaftarkan jumlah yang tidak wajar")
    OFFICER_OUT_OF_HOURS = "officer_hours", _("Petugas mendaftarkan di luar jam buka posko")
    ACCOUNT_CHANGED = "account_changed", _("Rekening diganti menjelang batch pembayaran")
    PAID_JPS_OPEN = "paid_jps_open", _("Dibayar saat kasus JPS belum selesai")


# Default thresholds: (min count, window in hours; 0 = not used).
DEFAULTS: dict[str, tuple[int, int]] = {
    Kind.PHONE_SHARED: (3, 0),
    Kind.EMAIL_SHARED: (3, 0),
    Kind.ACCOUNT_SHARED: (2, 0),
    Kind.ACCOUNT_REFUSED: (1, 0),
    Kind.ADDRESS_BURST: (5, 24),
    Kind.OFFICER_VOLUME: (60, 24),
    Kind.OFFICER_OUT_OF_HOURS: (1, 24),
    Kind.ACCOUNT_CHANGED: (1, 72),
    Kind.PAID_JPS_OPEN: (1, 0),
}


class SignalRule(models.Model):
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices, unique=True)
    min_count = models.PositiveIntegerField(_("ambang (jumlah paling sedikit)"))
    window_hours = models.PositiveIntegerField(_("jendela waktu (jam)"), default=0)
    is_active = models.BooleanField(_("aktif"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("aturan sinyal")
        verbose_name_plural = _("aturan sinyal")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Signal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Perlu ditinjau")
        CONFIRMED = "confirmed", _("Masalah nyata")
        FALSE_ALARM = "false_alarm", _("Alarm palsu")

    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=128)
    count = models.PositiveIntegerField(_("jumlah"))
    # {"summary": "...", "rows": [{...}, ...]}: references, masked numbers, times; no NIK.
    evidence = models.JSONField(default=dict)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("catatan peninjau"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-last_seen"]
        verbose_name = _("sinyal")
        verbose_name_plural = _("sinyal")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="signal_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.pk}"
