"""Linkage runs: queueing one, and the job that links reports to registrants (exact NIK, then
Splink on the rest) and refreshes the registrants' "reported by Disnaker" flags.

``_history_insert`` writes the "created" history rows of a run's new links set-based (the job
acts for the system, so the run row says who started it)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.accounts.scopes import Actor, Capability, actor_require
from prakerja.core.history import history_bulk_insert
from prakerja.core.jobs import JobLeaseHeld, LeaseLost, job_lease
from prakerja.core.models import JobLease
from prakerja.identity import crypto
from prakerja.labourdata.models import ReportedWorker, WorkerReport
from prakerja.linkage import matching
from prakerja.linkage.models import (
    Link,
    LinkageRun,
)
from prakerja.linkage.services.jps import jps_cases_open_for_all_batches
from prakerja.registry.models import Registration

logger = logging.getLogger(__name__)


_READ_CHUNK = 50_000


def linkage_run_start(*, actor: Actor) -> LinkageRun:
    """Queue a linkage run; the page follows its progress. One run at a time: a second
    request while one is queued or running returns that run instead of starting another."""
    actor_require(actor, Capability.LABOUR_DATA_IMPORT)
    from prakerja.linkage.tasks import linkage_run_job

    with transaction.atomic():
        active = (
            LinkageRun.objects.select_for_update()
            .filter(status__in=[LinkageRun.Status.QUEUED, LinkageRun.Status.RUNNING])
            .first()
        )
        if active is not None:
            if timezone.now() - _last_sign_of_life(active) < LINKAGE_RUN_STALE_AFTER:
                return active
            # Its worker died (killed, out of memory, redeployed): the run will never finish.
            # Marked failed so that a new run can start; a run is safe to repeat.
            LinkageRun.objects.filter(pk=active.pk).update(
                status=LinkageRun.Status.FAILED,
                finished_at=timezone.now(),
                error_message="StalledRun",
            )
            logger.warning("linkage run %s stalled; marked failed", active.pk)
        run = LinkageRun.objects.create(started_by=actor if isinstance(actor, User) else None)
        transaction.on_commit(lambda: linkage_run_job.enqueue(run.pk))
    return run


# The lease of a linkage job (core.jobs).
LINKAGE_JOB = "linkage.run"
# A queued or running run that shows no sign of life for this long is taken as dead. The
# slowest step (Splink on 100,000 reports against 1,000,000 registrants) takes about a minute.
LINKAGE_RUN_STALE_AFTER = timedelta(minutes=30)


def _last_sign_of_life(run: LinkageRun) -> datetime:
    seen = run.progress_at or run.started_at or run.created_at
    # A long step reports no progress, but its worker renews the run's lease meanwhile.
    beat = (
        JobLease.objects.filter(job=LINKAGE_JOB, object_id=run.pk)
        .values_list("heartbeat_at", flat=True)
        .first()
    )
    return max(seen, beat) if beat else seen


def _progress(run_id: int, stage: str, percent: int, **counts: int) -> None:
    LinkageRun.objects.filter(pk=run_id).update(
        stage=stage, percent=percent, progress_at=timezone.now(), **counts
    )


def linkage_run_execute(*, run_id: int) -> LinkageRun:
    """The job body: exact NIK links, then Splink on the rest, then the registrants' flags.

    Safe to run twice: pairs already proposed (in any state) are skipped, so a re-run after a
    crash only adds what is missing, and a rejected pair is never proposed again.
    """
    run = LinkageRun.objects.get(pk=run_id)
    if run.status == LinkageRun.Status.COMPLETED:
        return run
    # The lease (core.jobs) lets another worker take the run back if this one dies; every
    # step below is safe to repeat, so the new worker simply starts again from the top.
    with job_lease(LINKAGE_JOB, run_id) as lease:
        if lease is None:
            return run  # a live worker is running it
        return _linkage_run_steps(run, lease)


def _linkage_run_steps(run: LinkageRun, lease: JobLeaseHeld) -> LinkageRun:
    run_id = run.pk
    now = timezone.now()
    LinkageRun.objects.filter(pk=run_id).update(
        status=LinkageRun.Status.RUNNING, started_at=now, progress_at=now, error_message=""
    )
    try:
        exact = _link_exact_nik(run_id=run_id)
        _progress(run_id, "exact", 15, exact_links=exact)
        lease.check()
        auto, review, considered = _link_probabilistic(run_id=run_id)
        lease.check()
        _progress(
            run_id,
            "flags",
            95,
            auto_links=auto,
            review_pairs=review,
            workers_considered=considered,
        )
        registration_flags_refresh()
        # Also the safety net for JPS lists whose import did not call us (idempotent).
        jps_cases_open_for_all_batches()
    except LeaseLost:
        # Another worker took the run over (this one stopped renewing): it owns the status.
        logger.warning("linkage run %s taken over by another worker; stopping", run_id)
        raise
    except Exception as exc:
        # The message is the exception class only: a message could quote a name or a NIK.
        LinkageRun.objects.filter(pk=run_id).update(
            status=LinkageRun.Status.FAILED,
            finished_at=timezone.now(),
            error_message=type(exc).__name__,
        )
        logger.exception("linkage run %s failed", run_id)
        raise
    LinkageRun.objects.filter(pk=run_id).update(
        status=LinkageRun.Status.COMPLETED, stage="done", percent=100, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _registered() -> QuerySet[Registration]:
    # Drafts are not registrants yet: an applicant halfway through the form is still
    # someone the call centre should invite.
    return Registration.objects.exclude(status=Registration.Status.DRAFT).filter(
        person__isnull=False
    )


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _history_insert(
    *, run_id: int, method: str, reason: str, created_at: datetime | None = None
) -> None:
    """The "created" history rows of this run's new links, in one INSERT … SELECT
    (``core.history``): every link column, the time, the reason, "+" and no user (the job
    acts for the system). ``bulk_create_with_history`` builds two model instances per link;
    for 60,000 links that alone took longer than the whole matching."""
    links = Link.objects.filter(run_id=run_id, method=method)
    if created_at is not None:
        # Exactly the rows one INSERT … SELECT wrote (they share its timestamp): cheaper than
        # an anti-join against the history table (bench/README.md).
        links = links.filter(created_at=created_at)
    else:
        # A job re-run with the same run id must not write a second "created" row.
        links = links.filter(~Exists(Link.history.filter(id=OuterRef("pk"))))  # type: ignore[attr-defined]
    history_bulk_insert(Link, links, actor=None, reason=reason)


def _link_exact_nik(*, run_id: int) -> int:
    """Same person (same NIK blind index) on both sides: one INSERT … SELECT joining
    registrations and reported workers on ``person_id``, no decryption, no Python loop.
    Pairs that already have a link (in any state) are left alone, so a re-run adds nothing."""
    link = Link._meta.db_table
    registration = Registration._meta.db_table
    worker = ReportedWorker._meta.db_table
    q = _quoted
    evidence = json.dumps({"nik": {"level": "sama", "weight": None}})
    evidence_sql = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"INSERT INTO {q(link)} ({q('worker_id')}, {q('registration_id')}, {q('method')}, "  # noqa: S608
        f"{q('status')}, {q('match_probability')}, {q('evidence')}, {q('run_id')}, "
        f"{q('reason')}, {q('created_at')}) "
        f"SELECT w.{q('id')}, r.{q('id')}, %s, %s, 1.0, {evidence_sql}, %s, '', %s "
        f"FROM {q(registration)} r JOIN {q(worker)} w ON w.{q('person_id')} = r.{q('person_id')} "
        f"WHERE r.{q('status')} <> %s AND NOT EXISTS (SELECT 1 FROM {q(link)} l "
        f"WHERE l.{q('worker_id')} = w.{q('id')} AND l.{q('registration_id')} = r.{q('id')})"
    )
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                Link.Method.EXACT_NIK.value,
                Link.Status.LINKED.value,
                evidence,
                run_id,
                connection.ops.adapt_datetimefield_value(now),  # as the ORM stores it
                Registration.Status.DRAFT.value,
            ],
        )
        created = cursor.rowcount
        _history_insert(
            run_id=run_id,
            method=Link.Method.EXACT_NIK,
            reason="linkage: NIK sama",
            created_at=now,
        )
    return created


def _frame_from_query(queryset: QuerySet[Any]) -> pl.DataFrame:
    """The columns of a ``values_list`` query read with a plain cursor in chunks into one
    polars frame: no ORM objects and none of Django's per-value converters, which on a
    million rows cost more than the query itself."""
    sql, params = queryset.query.sql_with_params()
    schema = {
        "unique_id": pl.Int64,
        "full_name": pl.String,
        # Both backends hand dates back as date objects (Django's SQLite converters too).
        "birth_date": pl.Date,
        "regency": pl.String,
        "nik_encrypted": pl.String,
        "gender": pl.String,
        "phone": pl.String,
        "kk_key": pl.String,
        "employer": pl.String,
    }
    frames = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(_READ_CHUNK):
            frames.append(pl.DataFrame(rows, schema=schema, orient="row"))
    if not frames:
        frames.append(pl.DataFrame(schema=schema))
    return pl.concat(frames).with_columns(pl.col("birth_date").cast(pl.String))


def _decrypt_column(frame: pl.DataFrame) -> pl.DataFrame:
    niks = [crypto.decrypt(token) for token in frame["nik_encrypted"].to_list()]
    return frame.with_columns(nik=pl.Series(niks, dtype=pl.String)).drop("nik_encrypted")


def load_reports_frame() -> pl.DataFrame:
    """Reported workers with no active or pending link and no registration of their own.
    ``employer``: the company named by the worker's latest report that names one."""
    company = (
        WorkerReport.objects.filter(worker_id=OuterRef("pk"))
        .exclude(company="")
        .order_by("-batch_id")
        .values("company")[:1]
    )
    workers = (
        ReportedWorker.objects.annotate(employer=Subquery(company))
        .exclude(
            Exists(
                Link.objects.filter(
                    worker_id=OuterRef("pk"),
                    status__in=[*Link.ACTIVE, Link.Status.PENDING],
                )
            )
        )
        .exclude(Exists(_registered().filter(person_id=OuterRef("person_id"))))
        .values_list(
            "pk",
            "full_name",
            "birth_date",
            "regency_id",
            "person__nik_encrypted",
            "gender",
            "phone",
            # No KK on a report; the column keeps both frames alike.
            "person__kk_index",
            "employer",
        )
    )
    return _decrypt_column(_frame_from_query(workers)).drop("kk_key")


def load_registrants_frame() -> pl.DataFrame:
    """Registrants not yet linked to anyone, NIK still encrypted (decrypted per candidate)."""
    registrants = (
        _registered()
        .exclude(
            Exists(Link.objects.filter(registration_id=OuterRef("pk"), status__in=Link.ACTIVE))
        )
        .values_list(
            "pk",
            "full_name",
            "birth_date",
            "domicile_regency_id",
            "person__nik_encrypted",
            "gender",
            # The number given on the registration (the account's, unless changed there).
            "phone",
            "kk_index",
            "last_employer",
        )
    )
    return _frame_from_query(registrants)


def _evidence(row: dict[str, Any], labels: dict[str, list[str]]) -> dict[str, Any]:
    """Per comparison: the level the pair reached and its match weight (bits), no values."""
    evidence: dict[str, Any] = {}
    for name in matching.COMPARISONS:
        gamma = row[f"gamma_{name}"]
        # gamma -1 is the null level; 0 the ELSE level; higher is closer.
        weight = row[f"mw_{name}"]
        evidence[name] = {
            "level": labels[name][gamma + 1] if gamma + 1 < len(labels[name]) else str(gamma),
            "weight": round(float(weight), 2) if weight is not None else 0.0,
        }
    if row["review_reason"]:
        evidence["_review_reason"] = row["review_reason"]
    return evidence


def _level_labels(model: dict[str, Any]) -> dict[str, list[str]]:
    """Labels by gamma + 1 (null level first, then from the ELSE level up) from the model."""
    labels = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        rest = [lv for lv in levels if not lv.get("is_null_level")]
        names = ["tidak ada data"]
        names += [str(lv.get("label_for_charts", "")) for lv in reversed(rest)]
        labels[comparison["output_column_name"]] = names
    return labels


def _kk_key(nik: str) -> str:
    return crypto.blind_index(nik, purpose="kk")


def _link_probabilistic(*, run_id: int) -> tuple[int, int, int]:
    reports_raw = load_reports_frame()
    _progress(run_id, "load", 25, workers_considered=reports_raw.height)
    if reports_raw.is_empty():
        return 0, 0, 0
    registrants_raw = load_registrants_frame()
    _progress(run_id, "match", 45)
    scored, model = matching.match_with_candidates(
        reports_raw, registrants_raw, decrypt=crypto.decrypt, kk_key=_kk_key
    )
    del registrants_raw
    # The trained model goes with the run: each link's weights can be explained later.
    LinkageRun.objects.filter(pk=run_id).update(model=model)
    chosen = matching.assign_one_to_one(scored)
    labels = _level_labels(model)
    # Every pair ever proposed (a few hundred thousand at most), rather than an IN list of
    # tens of thousands of ids, which SQLite refuses past 32,766 parameters.
    existing = set(Link.objects.values_list("worker_id", "registration_id").iterator(10_000))
    _progress(run_id, "write", 80)
    auto = review = 0
    new_links = []
    for row in chosen.iter_rows(named=True):
        if (row["report_id"], row["registration_id"]) in existing:
            continue
        is_auto = bool(row["auto"])
        auto += is_auto
        review += not is_auto
        new_links.append(
            Link(
                worker_id=row["report_id"],
                registration_id=row["registration_id"],
                method=Link.Method.PROBABILISTIC,
                status=Link.Status.LINKED if is_auto else Link.Status.PENDING,
                match_probability=float(row["match_probability"]),
                match_weight=float(row["match_weight"]),
                evidence=_evidence(row, labels),
                run_id=run_id,
            )
        )
    with transaction.atomic():
        Link.objects.bulk_create(new_links, batch_size=2000)
        _history_insert(run_id=run_id, method=Link.Method.PROBABILISTIC, reason="linkage: Splink")
    return auto, review, reports_raw.height


def registration_flags_refresh(registration_ids: Iterable[int] | None = None) -> int:
    """Make ``reported_by_disnaker`` say exactly "has an active link", set-based.

    Two UPDATEs instead of a save per registrant: after a run this touches up to 100,000
    rows. (The links themselves carry the audit history of why the flag changed.)
    """
    active = Exists(Link.objects.filter(registration_id=OuterRef("pk"), status__in=Link.ACTIVE))
    registrations = Registration.objects.all()
    if registration_ids is not None:
        registrations = registrations.filter(pk__in=list(registration_ids))
    raised = registrations.filter(active, reported_by_disnaker=False).update(
        reported_by_disnaker=True
    )
    cleared = registrations.filter(~active, reported_by_disnaker=True).update(
        reported_by_disnaker=False
    )
    return raised + cleared
