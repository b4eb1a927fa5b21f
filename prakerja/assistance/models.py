"""The 56 East Java assistance posts (posko) and the two call-centre lines."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Post(models.Model):
    class Kind(models.TextChoices):
        PROVINCE_OFFICE = "province_office", _("Kantor Disnakertrans Provinsi")
        UPT_BLK = "upt_blk", _("UPT Balai Latihan Kerja")
        LTSA = "ltsa", _("LTSA-UPT P2TK")
        REGENCY_OFFICE = "regency_office", _("Kantor Disnaker Kabupaten/Kota")

    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    regency = models.ForeignKey("regions.Regency", on_delete=models.PROTECT, related_name="posts")
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    # The province chose not to publicise office locations so that people come only when they
    # cannot register online (SPEC §1); a hidden address is shown only with a booking.
    address_public = models.BooleanField(_("alamat ditampilkan ke publik"), default=False)
    opening_hours = models.CharField(
        _("jam layanan"), max_length=120, default="Senin–Jumat 08.00–15.00 WIB"
    )
    slot_minutes = models.PositiveSmallIntegerField(_("durasi slot (menit)"), default=30)
    slot_capacity = models.PositiveSmallIntegerField(_("kapasitas per slot"), default=10)
    is_active = models.BooleanField(_("aktif"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["regency__name", "name"]
        verbose_name = _("posko pendampingan")
        verbose_name_plural = _("posko pendampingan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slot_capacity__gte=1), name="post_slot_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5), name="post_slot_minutes_min_5"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallCentreLine(models.Model):
    number = models.CharField(_("nomor"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("saluran call center")
        verbose_name_plural = _("saluran call center")

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"
