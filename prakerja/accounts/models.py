"""Users and their roles.

One user model for everybody: applicants and staff. A staff role may be bound to a scope
(an officer to one post, a data officer to one regency or the whole province, a provider
operator to one provider); the database refuses a binding that does not fit the role, and
refuses superuser rights to anyone who is not a superadmin.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from prakerja.core.indexes import index_where_set
from prakerja.core.rowsql import RowLoader


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Pendaftar")
    OFFICER = "officer", _("Petugas pendamping posko")
    CALLCENTRE = "callcentre", _("Agen call center")
    DATA_OFFICER = "data_officer", _("Petugas data Disnaker")
    MANAGER = "manager", _("Pengelola program")
    PROVIDER = "provider", _("Operator lembaga pelatihan")
    TREASURY = "treasury", _("Petugas perbendaharaan")
    VIEWER = "viewer", _("Pemantau")
    SUPERADMIN = "superadmin", _("Superadmin")


STAFF_ROLES = frozenset(Role) - {Role.APPLICANT}
# Roles that open the Django admin (``is_staff``). Only the superadmin: every other role works
# in the programme's own pages, which apply the role's scope; the admin does not.
ADMIN_ROLES = frozenset({Role.SUPERADMIN})


_UNSET: Any = object()
_BY_PK = 'u."id" = %s'  # the users table's key (``User``'s ``id``), under the alias ``u``


def _users_by_pk(model: Any, pk: Any, using: str) -> list[Any]:
    """The rows of ``model`` whose key is ``pk`` (one at most), as one hand-written statement
    (``core.rowsql``): the same instance the ORM builds."""
    loader = user_loader()
    with connections[using].cursor() as cursor:
        cursor.execute(loader.select("u", _BY_PK, using=using), [pk])
        return loader.load(cursor.fetchall(), using=using)


class AccountQuerySet(models.QuerySet["User"]):
    """Users' querysets. ``AccountManager.filter(pk=…)`` marks the queryset it returns with
    the key; that queryset's ``first()`` is then the hand-written statement of ``get``, or a
    current copy from the shared cache (``session_users.account_by_pk``). Any further method
    gives a clone without the mark: the ORM's ``first()`` as usual."""

    def first(self) -> User | None:  # type: ignore[override]
        pk = self.__dict__.get("_first_by_pk", _UNSET)
        if pk is _UNSET or self._result_cache is not None:
            return super().first()
        if self.db != DEFAULT_DB_ALIAS:
            found = _users_by_pk(self.model, pk, self.db)
            return found[0] if found else None
        from prakerja.accounts.session_users import account_by_pk

        def load() -> User | None:
            found = _users_by_pk(self.model, pk, self.db)
            return found[0] if found else None

        # From the shared cache when a copy is current (``session_users``).
        return account_by_pk(pk, load)


class AccountManager(UserManager["User"]):
    def get_queryset(self) -> AccountQuerySet:
        return AccountQuerySet(self.model, using=self._db, hints=self._hints)  # type: ignore[attr-defined]

    def _pk_only(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The key of a call that is exactly ``(pk=…)`` on ``User.objects`` itself (not a
        related manager, its own subclass, nor another database); else ``_UNSET``."""
        if args or kwargs.keys() != {"pk"} or type(self) is not AccountManager or self._db:
            return _UNSET
        try:
            return self.model._meta.pk.to_python(kwargs["pk"])  # type: ignore[union-attr]
        except ValidationError:
            return _UNSET  # the ORM's own error for a malformed key

    def filter(self, *args: Any, **kwargs: Any) -> AccountQuerySet:
        """``User.objects.filter(pk=…)``, whose ``first()`` is one hand-written statement:
        allauth looks the signing-in user up this way on each page of the sign-in by code
        (``Login.deserialize``), and the ORM's ``first()`` (a query built, ordered by the key
        and compiled) cost more than a third of those pages' database work (issue 17)."""
        queryset = self.get_queryset().filter(*args, **kwargs)
        pk = self._pk_only(args, kwargs)
        if pk is not _UNSET:
            queryset._first_by_pk = pk  # type: ignore[attr-defined]
        return queryset

    def get(self, *args: Any, **kwargs: Any) -> User:
        """``User.objects.get(pk=…)`` as one prepared statement, without building a queryset.

        Django's session authentication runs exactly this on every signed-in request
        (``ModelBackend.get_user``): about a tenth of the app's CPU per registration went
        into building and compiling that query (issue 17). Same row, same instance, same
        ``DoesNotExist``. Any other call, a related manager (its own subclass, which filters
        by the relation) or another database goes through the ORM as usual."""
        pk = self._pk_only(args, kwargs)
        if pk is _UNSET:
            return super().get(*args, **kwargs)
        model = self.model
        found = _users_by_pk(model, pk, router.db_for_read(model))
        if not found:
            raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
        return found[0]  # type: ignore[no-any-return]

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        # `createsuperuser` and pytest-django's `admin_user` come through here; the role
        # has to say superadmin too, or the database refuses the superuser flag.
        extra.setdefault("role", Role.SUPERADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    # One name field: many Indonesian names do not split into first and last name.
    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    phone = PhoneNumberField(_("nomor HP"), blank=True, null=True, unique=True)
    # Set when the holder of ``phone`` proved it with an SMS code; cleared when the number
    # changes. An officer can type a number for someone, so a number alone proves nothing.
    phone_verified_at = models.DateTimeField(_("nomor HP terverifikasi"), null=True, blank=True)
    post = models.ForeignKey(
        "assistance.Post",
        verbose_name=_("posko"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        db_index=False,
    )
    # Null for a data officer means the whole province (East Java, 35).
    regency = models.ForeignKey(
        "regions.Regency",
        verbose_name=_("kabupaten/kota"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    provider = models.ForeignKey(
        "training.Provider",
        verbose_name=_("lembaga pelatihan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operators",
        db_index=False,
    )
    # ``history_user`` without a database constraint, as on Registration and Person: the
    # check would lock the acting user's row for every history row written.
    # Read one account at a time (``id``): no copies of the table's other indexes.
    history = HistoricalRecords(
        excluded_fields=["password", "last_login"],
        user_db_constraint=False,
        no_db_index=["username", "phone", "regency", "post", "provider"],
    )

    objects: ClassVar[AccountManager] = AccountManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        # Staff accounts only have a post, a regency or a provider; the applicants' rows (all
        # but a few) leave them empty: indexed only where set (issue 17).
        indexes = [
            index_where_set(field, name=f"user_{field}_set")
            for field in ("post", "regency", "provider")
        ]
        constraints = [
            # Usernames are compared case-insensitively (``username__iexact``: allauth's
            # sign-in, a generated name's check), which is ``UPPER(username) = UPPER(…)``: its
            # index serves that comparison (without it every sign-up read the whole table,
            # ~285 ms at 1,000,000 users), and being unique it lets a new applicant's row be
            # inserted without a look-up first (``services.applicant_get_or_create_by_phone``).
            models.UniqueConstraint(
                Upper("username"),
                name="user_username_upper_unique",
                violation_error_message=_("Nama pengguna ini sudah dipakai."),
            ),
            models.CheckConstraint(
                condition=models.Q(role=Role.OFFICER, post__isnull=False)
                | (~models.Q(role=Role.OFFICER) & models.Q(post__isnull=True)),
                name="user_post_iff_officer",
                violation_error_message=_(
                    "Petugas pendamping wajib terikat pada satu posko; peran lain tidak boleh."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(role=Role.DATA_OFFICER) | models.Q(regency__isnull=True),
                name="user_regency_only_for_data_officer",
                violation_error_message=_(
                    "Hanya petugas data Disnaker yang dapat terikat pada kabupaten/kota."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(role=Role.PROVIDER, provider__isnull=False)
                | (~models.Q(role=Role.PROVIDER) & models.Q(provider__isnull=True)),
                name="user_provider_iff_provider_operator",
                violation_error_message=_(
                    "Operator lembaga pelatihan wajib terikat pada satu lembaga; "
                    "peran lain tidak boleh."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(role=Role.SUPERADMIN, is_superuser=True, is_staff=True)
                | (~models.Q(role=Role.SUPERADMIN) & models.Q(is_superuser=False)),
                name="user_superuser_iff_superadmin",
                violation_error_message=_(
                    "Hak superuser hanya untuk peran superadmin, dan superadmin selalu "
                    "memiliki hak superuser dan akses admin."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    @property
    def is_programme_staff(self) -> bool:
        return self.role in STAFF_ROLES


class AccessCode(models.Model):
    """A one-time sign-in code an officer prints, or a call-centre agent sends, for an applicant.

    The applicant enters it with their phone number at ``/accounts/kode-akses/``; the officer
    never holds a password. allauth's own codes live in the session of the browser that asked
    for them, so they cannot be handed over from an officer's screen; this table is the one
    thing allauth does not do. Only a hash is stored (Django's password hasher: a database
    dump must not give working codes). One live code per applicant: issuing a new one voids
    the old.
    """

    class Channel(models.TextChoices):
        PRINTED = "printed", _("Dicetak petugas")
        SMS = "sms", _("SMS")

    MAX_ATTEMPTS = 5
    user = models.ForeignKey(
        User, verbose_name=_("pendaftar"), on_delete=models.CASCADE, related_name="access_codes"
    )
    code_hash = models.CharField(_("hash kode"), max_length=256)
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices)
    issued_by = models.ForeignKey(
        User,
        verbose_name=_("diterbitkan oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    used_at = models.DateTimeField(_("dipakai"), null=True, blank=True)
    voided_at = models.DateTimeField(_("dibatalkan"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("percobaan salah"), default=0)
    history = HistoricalRecords(excluded_fields=["code_hash"])

    class Meta:
        verbose_name = _("kode akses")
        verbose_name_plural = _("kode akses")
        indexes = [models.Index(fields=["user", "-created_at"], name="accesscode_user_recent")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.created_at:%Y-%m-%d %H:%M}"

    def is_live(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.voided_at is None and self.expires_at > now


class AccountRecovery(models.Model):
    """A call-centre or posko request to send someone the way back into their account.

    Append-only: the row is the audit record. ``user`` is empty when the number has no
    applicant account (the agent is not told which), so only the last digits are kept.
    """

    requested_by = models.ForeignKey(
        User, verbose_name=_("diminta oleh"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("pendaftar"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recoveries",
    )
    phone_hint = models.CharField(_("nomor HP (disamarkan)"), max_length=20)
    created_at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("pemulihan akun")
        verbose_name_plural = _("pemulihan akun")

    def __str__(self) -> str:
        return f"{self.phone_hint} {self.created_at:%Y-%m-%d %H:%M}"


class PhoneChange(models.Model):
    """An officer or call-centre agent changed an applicant's phone number (lost SIM, new
    number) after checking their NIK, birth date and name; or tried to, and the identity did
    not match. Append-only: the row is the audit record, beside the user's history row.
    Numbers are kept masked only.
    """

    class Outcome(models.TextChoices):
        CHANGED = "changed", _("diganti")
        IDENTITY_MISMATCH = "identity_mismatch", _("identitas tidak cocok")

    requested_by = models.ForeignKey(
        User, verbose_name=_("diminta oleh"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("pendaftar"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phone_changes",
    )
    outcome = models.CharField(_("hasil"), max_length=20, choices=Outcome.choices)
    old_phone_hint = models.CharField(_("nomor lama (disamarkan)"), max_length=20, blank=True)
    new_phone_hint = models.CharField(_("nomor baru (disamarkan)"), max_length=20)
    created_at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("penggantian nomor HP")
        verbose_name_plural = _("penggantian nomor HP")

    def __str__(self) -> str:
        return f"{self.old_phone_hint} → {self.new_phone_hint} {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for the API. Only the SHA-256 of the key is stored: a leaked database
    does not give anyone a working token, and the plaintext is shown once at creation."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(_("hash kunci"), max_length=64, unique=True)
    name = models.CharField(_("nama"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        # Moved from registry (token auth belongs to accounts, below the domain apps); the
        # table keeps its name, so the move changed no data (migrations state-only).
        db_table = "registry_apitoken"
        ordering = ["-created_at"]
        verbose_name = _("token API")
        verbose_name_plural = _("token API")

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.key_hash[:8]}"


@functools.cache
def user_loader() -> RowLoader:
    """The one ``core.rowsql`` loader of users (session authentication, API tokens), built on
    first use, once every model is loaded."""
    return RowLoader(User)
