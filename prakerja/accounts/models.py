"""Users and their roles.

One user model for everybody: applicants and staff. A staff role may be bound to a scope
(an officer to one post, a data officer to one regency or the whole province, a provider
operator to one provider); the database refuses a binding that does not fit the role.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Pendaftar")
    OFFICER = "officer", _("Petugas pendamping posko")
    CALLCENTRE = "callcentre", _("Agen call center")
    DATA_OFFICER = "data_officer", _("Petugas data Disnaker")
    MANAGER = "manager", _("Pengelola program")
    PROVIDER = "provider", _("Operator lembaga pelatihan")
    VIEWER = "viewer", _("Pemantau")
    SUPERADMIN = "superadmin", _("Superadmin")


STAFF_ROLES = frozenset(Role) - {Role.APPLICANT}


class User(AbstractUser):
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    phone = PhoneNumberField(_("nomor HP"), blank=True, null=True, unique=True)
    post = models.ForeignKey(
        "assistance.Post",
        verbose_name=_("posko"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )
    # Null for a data officer means the whole province (East Java, 35).
    regency = models.ForeignKey(
        "regions.Regency",
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    provider = models.ForeignKey(
        "training.Provider",
        verbose_name=_("lembaga pelatihan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operators",
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role=Role.OFFICER, post__isnull=False)
                | (~models.Q(role=Role.OFFICER) & models.Q(post__isnull=True)),
                name="user_post_iff_officer",
            ),
            models.CheckConstraint(
                condition=models.Q(role=Role.DATA_OFFICER) | models.Q(regency__isnull=True),
                name="user_regency_only_for_data_officer",
            ),
            models.CheckConstraint(
                condition=models.Q(role=Role.PROVIDER, provider__isnull=False)
                | (~models.Q(role=Role.PROVIDER) & models.Q(provider__isnull=True)),
                name="user_provider_iff_provider_operator",
            ),
        ]

    @property
    def is_programme_staff(self) -> bool:
        return self.role in STAFF_ROLES
