"""Training providers (LPK, PLK, BLK). Courses, verification and enrolment come later;
the provider exists now so that a provider operator's account can be bound to one."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Provider(models.Model):
    class Kind(models.TextChoices):
        LPK = "lpk", _("Lembaga Pelatihan Kerja (LPK)")
        PLK = "plk", _("Penyelenggara Pelatihan Kerja (PLK)")
        BLK = "blk", _("Balai Latihan Kerja (BLK)")

    name = models.CharField(_("nama lembaga"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=3, choices=Kind.choices)
    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, related_name="providers"
    )
    sisnaker_number = models.CharField(_("nomor Sisnaker"), max_length=50, blank=True)
    yearly_capacity = models.PositiveIntegerField(_("kapasitas per tahun"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("lembaga pelatihan")
        verbose_name_plural = _("lembaga pelatihan")

    def __str__(self) -> str:
        return self.name
