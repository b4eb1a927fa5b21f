"""Calls taken on the two call-centre lines and the complaint tickets they open (SPEC §3.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CallLog(models.Model):
    class Category(models.TextChoices):
        REGISTRATION_HELP = "registration_help", _("Bantuan pendaftaran")
        STATUS_CONFIRMATION = "status_confirmation", _("Konfirmasi status")
        COMPLAINT = "complaint", _("Pengaduan")
        INFORMATION = "information", _("Informasi")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Selesai saat panggilan")
        FOLLOW_UP = "follow_up", _("Perlu tindak lanjut")
        APPOINTMENT_BOOKED = "appointment_booked", _("Dijadwalkan ke posko")
        REFERRED = "referred", _("Dirujuk ke instansi lain")
        DROPPED = "dropped", _("Panggilan terputus")

    line = models.ForeignKey(
        "assistance.CallCentreLine",
        verbose_name=_("saluran"),
        on_delete=models.PROTECT,
        related_name="calls",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agen"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    registration = models.ForeignKey(
        "registry.Registration",
        verbose_name=_("pendaftaran"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    caller_phone = models.CharField(_("nomor penelepon"), max_length=16, blank=True)
    outcome = models.CharField(_("hasil"), max_length=20, choices=Outcome.choices)
    notes = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("catatan panggilan")
        verbose_name_plural = _("catatan panggilan")
        # Daily counts per category (call-centre confirmations, SPEC §3.7).
        indexes = [models.Index(fields=["category", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Ticket(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Terbuka")
        IN_PROGRESS = "in_progress", _("Sedang ditangani")
        RESOLVED = "resolved", _("Terselesaikan")
        CLOSED = "closed", _("Ditutup")

    call = models.OneToOneField(
        CallLog, verbose_name=_("panggilan"), on_delete=models.PROTECT, related_name="ticket"
    )
    subject = models.CharField(_("perihal"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("penanggung jawab"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("batas waktu"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("tiket pengaduan")
        verbose_name_plural = _("tiket pengaduan")
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class TicketNote(models.Model):
    """A note on a ticket: what was done, by whom, when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("catatan"))
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("catatan tiket")
        verbose_name_plural = _("catatan tiket")

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.created_at:%Y-%m-%d %H:%M}"
