"""Tables of the core app: the idempotency claims behind every retried submission."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """One claimed ``Idempotency-Key`` (API) or ``submission_token`` (HTML form).

    The unique (scope, key) constraint is the whole concurrency story: two requests carrying
    the same key race on the INSERT and exactly one wins; the loser reads the winner's row and
    answers 409 (still running) or replays the stored response. Rows expire after 24 hours
    (``manage.py idempotency_prune``).
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Sedang diproses")
        DONE = "done", _("Selesai")

    # "user:<id>", "token:<hash>", "session:<key>" or "anon": a key only means something
    # inside the scope of the client that made it up.
    scope = models.CharField(_("lingkup"), max_length=100)
    key = models.CharField(_("kunci"), max_length=100)
    # sha256 of method + path + canonical body: the same key with another body is a client bug.
    fingerprint = models.CharField(_("sidik permintaan"), max_length=64)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    response_status = models.PositiveSmallIntegerField(_("status HTTP"), null=True, blank=True)
    response_body = models.TextField(_("isi tanggapan"), blank=True)
    response_content_type = models.CharField(_("jenis isi"), max_length=100, blank=True)
    # For HTML forms the stored answer is a redirect to the result of the first submission.
    response_location = models.CharField(_("alamat hasil"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("catatan idempotensi")
        verbose_name_plural = _("catatan idempotensi")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}/{self.key} ({self.status})"


class PeriodicRun(models.Model):
    """One period of a periodic job, claimed by the scheduler that enqueued it
    (``core.periodic``). The unique (name, period) constraint makes "enqueue once per period"
    hold with any number of schedulers running, restarted or run twice by hand."""

    name = models.CharField(_("tugas"), max_length=60)
    period = models.DateTimeField(_("periode mulai"))
    enqueued_at = models.DateTimeField(_("diantrekan"), default=timezone.now)

    class Meta:
        verbose_name = _("tugas berkala")
        verbose_name_plural = _("tugas berkala")
        constraints = [
            models.UniqueConstraint(fields=["name", "period"], name="periodic_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.period:%Y-%m-%d %H:%M}"
