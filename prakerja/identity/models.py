"""The one record per natural person, keyed by NIK.

The NIK and KK are never stored in plain text (SPEC §4): each is Fernet-encrypted for display
and has an HMAC blind index for lookups and for the unique constraint that makes "one NIK
registers once" hold even under concurrent submissions. The change history (simple-history)
therefore holds ciphertext only, and ``personal_data_rotate_keys`` re-encrypts it too.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from prakerja.identity import crypto
from prakerja.identity.nik import nik_mask


class Person(models.Model):
    nik_encrypted = models.TextField(_("NIK (terenkripsi)"))
    nik_index = models.CharField(_("indeks NIK"), max_length=64, unique=True)
    kk_encrypted = models.TextField(_("nomor KK (terenkripsi)"), blank=True)
    kk_index = models.CharField(_("indeks nomor KK"), max_length=64, db_index=True, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    # A bulk import writes one "created" history row per new person (issue 13), so each row is
    # kept cheap (bench/README.md, "Issue 13"): the history is read by person (``id``) and date,
    # never by blind index, so the two blind-index columns are not indexed there; and
    # ``history_user`` has no database constraint, whose check PostgreSQL would make once per
    # row at commit. The field is still a foreign key to the ORM (a deleted user's rows get
    # NULL, as before), and every writer takes the acting user from a saved user or its key.
    history = HistoricalRecords(no_db_index=["nik_index", "kk_index"], user_db_constraint=False)

    class Meta:
        verbose_name = _("orang")
        verbose_name_plural = _("orang")

    def __str__(self) -> str:
        # Masked: __str__ ends up in the admin, history views and log lines.
        return self.nik_masked

    @property
    def nik(self) -> str:
        return crypto.decrypt(self.nik_encrypted)

    @property
    def nik_masked(self) -> str:
        return nik_mask(self.nik) if self.nik_encrypted else ""

    @property
    def kk(self) -> str:
        return crypto.decrypt(self.kk_encrypted) if self.kk_encrypted else ""

    @property
    def kk_masked(self) -> str:
        return nik_mask(self.kk) if self.kk_encrypted else ""


class PersonalDataAccess(models.Model):
    """One look at someone's personal data outside the viewer's own scope, one download that
    hands out full NIKs (the rejected rows of an import), or a download of their own data by
    the applicant themself, per UU PDP 27/2022.

    Written for every lookup across posts, whether or not it found anyone: a run of misses is
    exactly what probing for NIKs looks like. Holds no NIK or phone number itself.
    """

    class Purpose(models.TextChoices):
        CROSS_POST_LOOKUP = "cross_post_lookup", _("Pencarian lintas posko")
        REVEAL = "reveal", _("Membuka data tanpa sensor")
        # The applicant downloading their own data (UU PDP 27/2022, the right of access).
        SELF_EXPORT = "self_export", _("Mengunduh data pribadi sendiri")
        REJECTED_ROWS_DOWNLOAD = (
            "rejected_rows_download",
            _("Mengunduh baris impor yang ditolak untuk diperbaiki"),
        )
        CALL_CENTRE_LOOKUP = "call_centre_lookup", _("Pencarian penelepon oleh call center")

    class QueryKind(models.TextChoices):
        NIK = "nik", _("NIK")
        REFERENCE = "reference", _("Nomor pendaftaran")
        PHONE = "phone", _("Nomor HP")

    actor = models.ForeignKey(
        "accounts.User", verbose_name=_("pengakses"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("orang"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accesses",
    )
    # The registration reference (not a foreign key: identity sits below the registry app).
    reference = models.CharField(_("nomor pendaftaran"), max_length=12, blank=True)
    purpose = models.CharField(_("keperluan"), max_length=30, choices=Purpose.choices)
    query_kind = models.CharField(
        _("dicari dengan"), max_length=12, choices=QueryKind.choices, blank=True
    )
    found = models.BooleanField(_("ditemukan"), default=False)
    # What was opened when it is not one person's record, e.g. "impor #12" for the rejected
    # rows of an import (identity sits below the labour-data app: no foreign key).
    subject = models.CharField(_("data yang dibuka"), max_length=60, blank=True)
    accessed_at = models.DateTimeField(_("waktu akses"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-accessed_at"]
        verbose_name = _("akses data pribadi")
        verbose_name_plural = _("akses data pribadi")

    def __str__(self) -> str:
        return f"{self.actor_id} {self.purpose} {self.accessed_at:%Y-%m-%d %H:%M}"
