"""Reads of the linkage domain, each scoped to what the actor may see.

A regency data officer sees the workers, links and JPS cases of their regency; province data
officers, managers, viewers and the superadmin see the province. The reports are set-based:
one query into polars, then group-bys, never a Python loop over model rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.scopes import (
    Actor,
    Capability,
    actor_can,
    actor_require,
    regency_get_for_actor,
    regency_list_for_actor,
)
from prakerja.core.errors import NotFound, PermissionDenied
from prakerja.identity.nik import nik_mask
from prakerja.labourdata.models import ReportedWorker, Source, WorkerReport
from prakerja.linkage.errors import LinkageError
from prakerja.linkage.models import JpsReviewCase, Link, LinkageRun
from prakerja.registry.models import Registration
from prakerja.waves.models import Wave


def _denied() -> PermissionDenied:
    return PermissionDenied(
        LinkageError.ACCOUNT_CAPABILITY_MISSING, _("Anda tidak berhak mengakses data ini.")
    )


def _require_view(actor: Actor) -> None:
    if not (
        actor_can(actor, Capability.LABOUR_DATA_IMPORT) or actor_can(actor, Capability.REPORT_VIEW)
    ):
        raise _denied()


def regency_codes_for_actor(*, actor: Actor) -> list[str]:
    return list(regency_list_for_actor(actor=actor).values_list("pk", flat=True))


def _scoped_regencies(*, actor: Actor, regency_code: str | None) -> list[str]:
    if regency_code:
        return [regency_get_for_actor(actor=actor, regency_code=regency_code).pk]
    return regency_codes_for_actor(actor=actor)


# --- Runs and links ---------------------------------------------------------------------


def linkage_run_latest() -> LinkageRun | None:
    return LinkageRun.objects.first()


def linkage_run_get(*, actor: Actor, run_id: int) -> LinkageRun:
    _require_view(actor)
    try:
        return LinkageRun.objects.get(pk=run_id)
    except LinkageRun.DoesNotExist:
        raise NotFound(
            LinkageError.LINKAGE_RUN_NOT_FOUND, _("Proses pencocokan tidak ditemukan.")
        ) from None


def links_for_actor(
    *, actor: Actor, status: str | None = None, regency_code: str | None = None
) -> QuerySet[Link]:
    _require_view(actor)
    links = Link.objects.filter(
        worker__regency_id__in=_scoped_regencies(actor=actor, regency_code=regency_code)
    ).select_related("worker", "registration")
    if status:
        links = links.filter(status=status)
    return links


def review_queue_for_actor(*, actor: Actor, regency_code: str | None = None) -> QuerySet[Link]:
    return links_for_actor(
        actor=actor, status=Link.Status.PENDING, regency_code=regency_code
    ).order_by("-match_probability", "pk")


def link_get_for_actor(*, actor: Actor, link_id: int, for_update: bool = False) -> Link:
    _require_view(actor)
    links = Link.objects.all()
    if for_update:
        links = links.select_for_update()
    try:
        link = links.get(pk=link_id)
    except Link.DoesNotExist:
        raise NotFound(
            LinkageError.LINKAGE_LINK_NOT_FOUND, _("Pasangan data tidak ditemukan.")
        ) from None
    worker_regency = ReportedWorker.objects.filter(pk=link.worker_id).values_list(
        "regency_id", flat=True
    )[0]
    if worker_regency not in regency_codes_for_actor(actor=actor):
        raise _denied()
    return link


# --- Outreach ---------------------------------------------------------------------------


def outreach_queryset(*, actor: Actor, regency_code: str | None = None) -> QuerySet[ReportedWorker]:
    """Reported workers who have not registered: no active link and no registration of
    their own person (drafts do not count as registered)."""
    actor_require(actor, Capability.LABOUR_DATA_EXPORT)
    registered = Registration.objects.exclude(status=Registration.Status.DRAFT).filter(
        person_id=OuterRef("person_id")
    )
    linked = Link.objects.filter(worker_id=OuterRef("pk"), status__in=Link.ACTIVE)
    return (
        ReportedWorker.objects.filter(
            regency_id__in=_scoped_regencies(actor=actor, regency_code=regency_code)
        )
        .exclude(Exists(registered))
        .exclude(Exists(linked))
        .order_by("regency_id", "full_name", "pk")
    )


OUTREACH_HEADERS = [
    _("Kabupaten/kota"),
    _("Nama lengkap"),
    _("Nomor HP"),
    _("Kategori"),
    _("Perusahaan"),
]


def outreach_waves() -> QuerySet[Wave]:
    """Waves invitations can be sent for: registration still open or yet to open."""
    return (
        Wave.objects.filter(
            status__in=(Wave.Status.DRAFT, Wave.Status.OPEN), closes_at__gt=timezone.now()
        )
        .select_related("programme")
        .order_by("opens_at", "pk")
    )


def outreach_wave_get(*, wave_id: int | str) -> Wave | None:
    """The wave ``wave_id`` names if invitations can be sent for it (a form's value: any text)."""
    try:
        pk = int(wave_id)
    except (TypeError, ValueError):
        return None
    return outreach_waves().filter(pk=pk).first()


def outreach_rows(*, actor: Actor, regency_code: str | None = None) -> pl.DataFrame:
    """The outreach list as one frame (one row per worker, their latest report's category)."""
    workers = outreach_queryset(actor=actor, regency_code=regency_code)
    rows = list(
        workers.values_list("pk", "regency__name", "full_name", "phone").iterator(chunk_size=20000)
    )
    frame = pl.DataFrame(
        rows,
        schema={"id": pl.Int64, "regency": pl.String, "full_name": pl.String, "phone": pl.String},
        orient="row",
    )
    reports = pl.DataFrame(
        list(
            WorkerReport.objects.filter(worker__in=workers)
            .values_list("worker_id", "category", "company", "pk")
            .iterator(chunk_size=20000)
        ),
        schema={"id": pl.Int64, "category": pl.String, "company": pl.String, "report_pk": pl.Int64},
        orient="row",
    )
    latest = reports.sort("report_pk").group_by("id").last().drop("report_pk")
    return frame.join(latest, on="id", how="left").sort(["regency", "full_name", "id"])


def outreach_counts(*, actor: Actor) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in outreach_queryset(actor=actor)
        .values("regency_id", "regency__name")
        .annotate(total=Count("pk"), with_phone=Count("pk", filter=~Q(phone="")))
        .order_by("regency__name")
    ]


# --- Regional vs ministry ---------------------------------------------------------------


@dataclass(frozen=True)
class RegionalMinistryReport:
    counts: pl.DataFrame  # regency, both, only_ministry, only_regional, conflicting
    people: pl.DataFrame  # worker_id, full_name, regency, group, ministry_*, regional_*

    def totals(self) -> dict[str, int]:
        return {
            col: int(self.counts[col].sum())
            for col in ("both", "only_ministry", "only_regional", "conflicting")
        }


def regional_vs_ministry(
    *, actor: Actor, ministry_batch_id: int | None = None, regency_code: str | None = None
) -> RegionalMinistryReport:
    """Who is on the ministry list and on the regional lists, on one only, or on both with a
    different category or regency (same person = same NIK, since a worker is one person).

    Regional lists are every source other than the ministry (regency Disnaker, province,
    company reports). Optionally restricted to one ministry batch.
    """
    _require_view(actor)
    regencies = _scoped_regencies(actor=actor, regency_code=regency_code)
    reports = WorkerReport.objects.filter(worker__regency_id__in=regencies)
    if ministry_batch_id is not None:
        reports = reports.filter(Q(batch_id=ministry_batch_id) | ~Q(source=Source.MINISTRY))
    frame = pl.DataFrame(
        list(
            reports.values_list(
                "worker_id",
                "worker__full_name",
                "worker__regency__name",
                "source",
                "category",
                "regency_id",
            ).iterator(chunk_size=50000)
        ),
        schema={
            "worker_id": pl.Int64,
            "full_name": pl.String,
            "regency": pl.String,
            "source": pl.String,
            "category": pl.String,
            "report_regency": pl.String,
        },
        orient="row",
    )
    is_ministry = pl.col("source") == Source.MINISTRY.value
    sides = frame.group_by("worker_id").agg(
        pl.col("full_name").first(),
        pl.col("regency").first(),
        pl.col("category").filter(is_ministry).unique().sort().alias("ministry_category"),
        pl.col("report_regency").filter(is_ministry).unique().sort().alias("ministry_regency"),
        pl.col("category").filter(~is_ministry).unique().sort().alias("regional_category"),
        pl.col("report_regency").filter(~is_ministry).unique().sort().alias("regional_regency"),
    )
    in_ministry = pl.col("ministry_category").list.len() > 0
    in_regional = pl.col("regional_category").list.len() > 0
    conflicting = (
        in_ministry
        & in_regional
        & (
            (pl.col("ministry_category") != pl.col("regional_category"))
            | (pl.col("ministry_regency") != pl.col("regional_regency"))
        )
    )
    people = sides.with_columns(
        group=pl.when(conflicting)
        .then(pl.lit("conflicting"))
        .when(in_ministry & in_regional)
        .then(pl.lit("both"))
        .when(in_ministry)
        .then(pl.lit("only_ministry"))
        .otherwise(pl.lit("only_regional"))
    ).with_columns(
        *(
            pl.col(col).list.join(", ")
            for col in (
                "ministry_category",
                "ministry_regency",
                "regional_category",
                "regional_regency",
            )
        )
    )
    counts = (
        people.group_by("regency")
        .agg(
            # "both" counts everyone on both lists, conflicting or not.
            both=pl.col("group").is_in(["both", "conflicting"]).sum(),
            only_ministry=(pl.col("group") == "only_ministry").sum(),
            only_regional=(pl.col("group") == "only_regional").sum(),
            conflicting=(pl.col("group") == "conflicting").sum(),
        )
        .sort("regency")
    )
    return RegionalMinistryReport(
        counts=counts, people=people.sort(["group", "regency", "full_name"])
    )


# --- JPS --------------------------------------------------------------------------------


def _require_jps(actor: Actor) -> None:
    if not (
        actor_can(actor, Capability.LABOUR_DATA_IMPORT)
        or actor_can(actor, Capability.WAVE_MANAGE)
        or actor_can(actor, Capability.REPORT_VIEW)
    ):
        raise _denied()


def jps_cases_for_actor(
    *, actor: Actor, status: str | None = None, regency_code: str | None = None
) -> QuerySet[JpsReviewCase]:
    _require_jps(actor)
    cases = JpsReviewCase.objects.filter(
        regency_id__in=_scoped_regencies(actor=actor, regency_code=regency_code)
    ).select_related("registration", "recipient", "regency", "assigned_to")
    if status:
        cases = cases.filter(status=status)
    return cases


def jps_case_get_for_actor(
    *, actor: Actor, case_id: int, for_update: bool = False
) -> JpsReviewCase:
    _require_jps(actor)
    cases = JpsReviewCase.objects.all()
    if for_update:
        cases = cases.select_for_update()
    try:
        case = cases.get(pk=case_id)
    except JpsReviewCase.DoesNotExist:
        raise NotFound(
            LinkageError.LINKAGE_JPS_CASE_NOT_FOUND, _("Kasus JPS tidak ditemukan.")
        ) from None
    if case.regency_id not in regency_codes_for_actor(actor=actor):
        raise _denied()
    return case


def jps_case_registrant_nik_masked(case: JpsReviewCase) -> str:
    person = case.registration.person
    return nik_mask(person.nik) if person else ""


def jps_monitoring(*, actor: Actor) -> list[dict[str, Any]]:
    """Per regency: open cases, resolved by decision, oldest open case."""
    from django.db.models import Min

    open_ = Q(status=JpsReviewCase.Status.OPEN)
    return [
        dict(row)
        for row in jps_cases_for_actor(actor=actor)
        .values("regency_id", "regency__name")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=open_),
            continued=Count("pk", filter=Q(decision=JpsReviewCase.Decision.CONTINUE)),
            stopped=Count("pk", filter=Q(decision=JpsReviewCase.Decision.STOP)),
            adjusted=Count("pk", filter=Q(decision=JpsReviewCase.Decision.ADJUST)),
            oldest_open=Min("opened_at", filter=open_),
        )
        .order_by("regency__name")
    ]
