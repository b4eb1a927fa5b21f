"""The 56 East Java assistance posts (posko) and the two call-centre lines."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.validators import RegexValidator
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
    # The working hours slots are generated from; ``opening_hours`` above is the text shown.
    opens_at = models.TimeField(_("jam buka"), default=time(8, 0))
    closes_at = models.TimeField(_("jam tutup"), default=time(15, 0))
    # ISO weekdays the post is open, 1 = Monday … 7 = Sunday.
    open_weekdays = models.CharField(
        _("hari buka (1=Senin … 7=Minggu)"),
        max_length=7,
        default="12345",
        validators=[RegexValidator(r"^[1-7]{1,7}$", _("Tulis angka hari 1–7, misalnya 12345."))],
    )
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
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="post_closes_after_opening",
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


# --- Appointments and the visitor queue (SPEC §3.3 crowd control) ----------------------------


class Slot(models.Model):
    """One bookable time slot of a post on one day.

    ``booked`` is a counter kept by conditional UPDATEs in the services (never read-modify-
    write in Python), and the database refuses ``booked > capacity`` as a last line of defence.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField(_("tanggal"))
    start = models.TimeField(_("mulai"))
    end = models.TimeField(_("selesai"))
    capacity = models.PositiveSmallIntegerField(_("kapasitas"))
    booked = models.PositiveSmallIntegerField(_("terpesan"), default=0)

    class Meta:
        ordering = ["post", "date", "start"]
        verbose_name = _("slot jadwal")
        verbose_name_plural = _("slot jadwal")
        constraints = [
            models.UniqueConstraint(fields=["post", "date", "start"], name="slot_unique_start"),
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="slot_capacity_min_1"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} {self.date:%Y-%m-%d} {self.start:%H.%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class Channel(models.TextChoices):
    ONLINE = "online", _("Daring")
    POST = "post", _("Posko")
    CALLCENTRE = "callcentre", _("Call center")


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Terjadwal")
        CHECKED_IN = "checked_in", _("Sudah datang")
        SERVED = "served", _("Sudah dilayani")
        NO_SHOW = "no_show", _("Tidak datang")
        CANCELLED = "cancelled", _("Dibatalkan")

    ACTIVE_STATUSES = (Status.BOOKED, Status.CHECKED_IN)

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    # Copies of slot.post and slot.date: the "one active booking per applicant per post and
    # day" rule is a partial unique constraint, and constraints cannot follow a join.
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="appointments")
    date = models.DateField(_("tanggal"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pendaftar"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    registration = models.ForeignKey(
        "registry.Registration",
        verbose_name=_("pendaftaran"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dipesan oleh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("kanal"), max_length=12, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    reminder_sent_at = models.DateTimeField(_("pengingat terkirim"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "slot__start", "id"]
        verbose_name = _("janji temu")
        verbose_name_plural = _("janji temu")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "post", "date"],
                condition=models.Q(status__in=["booked", "checked_in"]),
                name="appointment_one_active_per_day",
            ),
        ]
        indexes = [models.Index(fields=["post", "date", "status"])]

    def __str__(self) -> str:
        return f"{self.post.code} {self.date:%Y-%m-%d} #{self.pk}"


class QueueTicket(models.Model):
    """A queue number at a post for one day: a checked-in appointment or a walk-in."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Menunggu")
        CALLED = "called", _("Dipanggil")
        SERVED = "served", _("Sudah dilayani")
        NO_SHOW = "no_show", _("Tidak hadir")

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="queue_tickets")
    date = models.DateField(_("tanggal"))
    number = models.PositiveIntegerField(_("nomor antrean"))
    appointment = models.OneToOneField(
        Appointment,
        verbose_name=_("janji temu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_ticket",
    )
    name = models.CharField(_("nama"), max_length=100, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    called_at = models.DateTimeField(_("dipanggil"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["post", "date", "number"]
        verbose_name = _("nomor antrean")
        verbose_name_plural = _("nomor antrean")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "date", "number"], name="queue_ticket_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.post.code} {self.date:%Y-%m-%d} {self.display_number}"

    @property
    def display_number(self) -> str:
        return f"{'J' if self.appointment_id else 'A'}-{self.number:03d}"


class AssistanceVisit(models.Model):
    """The services an officer gave one visitor (SPEC §3.3): counted per post in reports."""

    class Service(models.TextChoices):
        REGISTRATION = "registration", _("Pendaftaran")
        EMAIL_HELP = "email_help", _("Bantuan email")
        DOCUMENT_HELP = "document_help", _("Bantuan dokumen")
        STATUS_CHECK = "status_check", _("Cek status")

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="visits")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("petugas"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registration = models.ForeignKey(
        "registry.Registration",
        verbose_name=_("pendaftaran"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_visits",
    )
    # A list of Service values, sorted and without duplicates (the service guarantees it).
    # JSON rather than an ArrayField so SQLite (the demo) and PostgreSQL share one schema.
    services = models.JSONField(_("layanan"), default=list)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("kunjungan pendampingan")
        verbose_name_plural = _("kunjungan pendampingan")
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self) -> str:
        return f"{self.post.code} {self.created_at:%Y-%m-%d %H:%M}"

    def service_labels(self) -> list[str]:
        labels = dict(self.Service.choices)
        return [str(labels.get(code, code)) for code in self.services]


class Holiday(models.Model):
    """A day without service: a national public holiday (no post: every post is closed) or a
    closure day of one post. Slots are not offered and bookings are refused on these days.
    Seeded with the national holidays (``assistance.holidays``); edited in the admin."""

    date = models.DateField(_("tanggal"), db_index=True)
    name = models.CharField(_("nama"), max_length=120)
    post = models.ForeignKey(
        Post,
        verbose_name=_("posko"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        help_text=_("Kosongkan untuk hari libur nasional (semua posko tutup)."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "post"]
        verbose_name = _("hari libur / posko tutup")
        verbose_name_plural = _("hari libur / posko tutup")
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(post__isnull=True),
                name="holiday_one_national_per_date",
            ),
            models.UniqueConstraint(fields=["date", "post"], name="holiday_one_closure_per_post"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"
