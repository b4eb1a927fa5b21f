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


class JobLease(models.Model):
    """The claim of one long background job (an import batch, a linkage run, a selection run)
    by the worker running it, renewed while that worker lives (``core.jobs``).

    A worker killed with ``kill -9``, out of memory or on a lost host cannot say it stopped:
    its lease simply runs out. The reaper that every worker runs then hands the job back to
    the queue (``owner`` = "") and enqueues it again, and ``/healthz`` reports any lease that
    has run out meanwhile. A table of its own rather than columns on the job rows: the
    selection job holds its run's row lock for the whole run, so a heartbeat written to that
    row would wait until the run is over.
    """

    job = models.CharField(_("jenis tugas"), max_length=40)
    object_id = models.BigIntegerField(_("nomor objek"))
    # Unique per acquisition (worker id, host, process, random token); "" = handed back to
    # the queue by the reaper, free for the next worker that starts the job.
    owner = models.CharField(_("pemegang"), max_length=160, blank=True)
    worker_id = models.CharField(_("pekerja"), max_length=64, blank=True)
    # The django-tasks result row of the run holding the lease (or of the re-enqueued one).
    task_id = models.CharField(_("tugas antrean"), max_length=64, blank=True)
    acquired_at = models.DateTimeField(_("diambil"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("tanda hidup terakhir"), default=timezone.now)
    expires_at = models.DateTimeField(_("berlaku sampai"), db_index=True)
    takeovers = models.PositiveIntegerField(_("diambil alih"), default=0)

    class Meta:
        verbose_name = _("sewa tugas")
        verbose_name_plural = _("sewa tugas")
        constraints = [
            # One holder per job: two workers starting the same job race on this row.
            models.UniqueConstraint(fields=["job", "object_id"], name="job_lease_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job}:{self.object_id} {self.owner or '-'}"
