"""/api/v1/linkage: linkage runs, the review queue and decisions, regional vs ministry counts,
JPS cases, their resolution and the monitoring report. Parse, call one service, return."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field, StringConstraints

from prakerja.accounts.auth import API_AUTH
from prakerja.linkage import evidence, selectors
from prakerja.linkage.models import JpsReviewCase, Link
from prakerja.linkage.services import decisions, jps, runs
from prakerja.registry.api import ERRORS  # the one error shape of config.api

router = Router(auth=API_AUTH)


Id = Annotated[int, Field(ge=1, le=2**62)]
RegencyCode = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]


class RunOut(Schema):
    id: int
    status: str
    stage: str
    percent: int
    workers_considered: int
    exact_links: int
    auto_links: int
    review_pairs: int
    created_at: datetime
    finished_at: datetime | None


class ComparisonOut(Schema):
    name: str
    level: str
    weight: float | None


class SideOut(Schema):
    name: str
    birth_date: date | None
    regency: str
    nik_masked: str


class LinkOut(Schema):
    id: int
    status: str
    method: str
    match_probability: float
    match_weight: float | None
    worker_id: int
    registration_reference: str


class EvidenceOut(Schema):
    link: LinkOut
    worker: SideOut
    registrant: SideOut
    comparisons: list[ComparisonOut]


class DecisionIn(Schema):
    decision: Literal["accept", "reject", "unlink"]
    reason: Annotated[str, StringConstraints(max_length=300)] = ""


class RegencyCountsOut(Schema):
    regency: str | None
    both: int
    only_ministry: int
    only_regional: int
    conflicting: int


class JpsCaseOut(Schema):
    id: int
    registration_reference: str
    regency: str | None
    programme: str
    period: str
    trigger: str
    status: str
    decision: str
    reason: str
    assigned_to: str | None
    opened_at: datetime
    decided_at: datetime | None


class JpsDecisionIn(Schema):
    decision: Literal["continue", "stop", "adjust"]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class MonitoringOut(Schema):
    regency: str | None
    regency_name: str | None
    total: int
    open: int
    continued: int
    stopped: int
    adjusted: int
    oldest_open: datetime | None


def _link_out(link: Link) -> LinkOut:
    return LinkOut(
        id=link.pk,
        status=link.status,
        method=link.method,
        match_probability=link.match_probability,
        match_weight=link.match_weight,
        worker_id=link.worker_id,
        registration_reference=link.registration.reference,
    )


def _case_out(case: JpsReviewCase) -> JpsCaseOut:
    return JpsCaseOut(
        id=case.pk,
        registration_reference=case.registration.reference,
        regency=case.regency_id,
        programme=case.recipient.programme,
        period=case.recipient.period,
        trigger=case.trigger,
        status=case.status,
        decision=case.decision,
        reason=case.reason,
        assigned_to=case.assigned_to.get_username() if case.assigned_to else None,
        opened_at=case.opened_at,
        decided_at=case.decided_at,
    )


@router.post(
    "/runs", response={202: RunOut, **ERRORS}, summary="Jalankan pencocokan (latar belakang)"
)
def run_start(request: HttpRequest) -> tuple[int, Any]:
    run = runs.linkage_run_start(actor=request.auth)  # type: ignore[attr-defined]
    return 202, run


@router.get(
    "/runs/{run_id}", response={200: RunOut, **ERRORS}, summary="Kemajuan satu proses pencocokan"
)
def run_get(request: HttpRequest, run_id: Path[Id]) -> Any:
    return selectors.linkage_run_get(actor=request.auth, run_id=run_id)  # type: ignore[attr-defined]


@router.get(
    "/review", response={200: list[LinkOut], **ERRORS}, summary="Antrean tinjauan (100 teratas)"
)
def review_list(request: HttpRequest, regency: Query[RegencyCode | None] = None) -> Any:
    links = selectors.review_queue_for_actor(actor=request.auth, regency_code=regency)  # type: ignore[attr-defined]
    return [_link_out(link) for link in links[:100]]


@router.get(
    "/links/{link_id}", response={200: EvidenceOut, **ERRORS}, summary="Bukti satu pasangan"
)
def link_get(request: HttpRequest, link_id: Path[Id]) -> Any:
    pair = evidence.link_evidence(actor=request.auth, link_id=link_id)  # type: ignore[attr-defined]
    side = ("name", "birth_date", "regency", "nik_masked")
    return EvidenceOut(
        link=_link_out(pair.link),
        worker=SideOut(**{key: getattr(pair.worker, key) for key in side}),
        registrant=SideOut(**{key: getattr(pair.registrant, key) for key in side}),
        comparisons=[
            ComparisonOut(name=str(c["name"]), level=str(c["level"]), weight=c["weight"])
            for c in pair.comparisons
        ],
    )


@router.post(
    "/links/{link_id}/decision",
    response={200: LinkOut, **ERRORS},
    summary="Terima/tolak/lepas pasangan",
)
def link_decide(request: HttpRequest, link_id: Path[Id], payload: DecisionIn) -> Any:
    decide = {
        "accept": decisions.link_accept,
        "reject": decisions.link_reject,
        "unlink": decisions.link_unlink,
    }[payload.decision]
    link = decide(actor=request.auth, link_id=link_id, reason=payload.reason)  # type: ignore[attr-defined]
    return _link_out(link)


@router.get(
    "/regional-ministry",
    response={200: list[RegencyCountsOut], **ERRORS},
    summary="Daerah vs Kemnaker per wilayah",
)
def regional_ministry(
    request: HttpRequest,
    regency: Query[RegencyCode | None] = None,
    ministry_batch: Query[Id | None] = None,
) -> Any:
    report = selectors.regional_vs_ministry(
        actor=request.auth,  # type: ignore[attr-defined]
        regency_code=regency,
        ministry_batch_id=ministry_batch,
    )
    return report.counts.to_dicts()


@router.get(
    "/jps-cases", response={200: list[JpsCaseOut], **ERRORS}, summary="Kasus JPS (100 terbaru)"
)
def jps_case_list(
    request: HttpRequest,
    status: Query[Literal["open", "resolved"] | None] = None,
    regency: Query[RegencyCode | None] = None,
) -> Any:
    cases = selectors.jps_cases_for_actor(
        actor=request.auth,  # type: ignore[attr-defined]
        status=status,
        regency_code=regency,
    )
    return [_case_out(case) for case in cases[:100]]


@router.post(
    "/jps-cases/{case_id}/decision",
    response={200: JpsCaseOut, **ERRORS},
    summary="Putuskan kasus JPS",
)
def jps_case_decide(request: HttpRequest, case_id: Path[Id], payload: JpsDecisionIn) -> Any:
    case = jps.jps_case_resolve(
        actor=request.auth,  # type: ignore[attr-defined]
        case_id=case_id,
        decision=payload.decision,
        reason=payload.reason,
    )
    return _case_out(case)


@router.get(
    "/jps-monitoring",
    response={200: list[MonitoringOut], **ERRORS},
    summary="Pemantauan JPS per wilayah",
)
def jps_monitoring(request: HttpRequest) -> Any:
    return [
        MonitoringOut(
            regency=row["regency_id"],
            regency_name=row["regency__name"],
            total=row["total"],
            open=row["open"],
            continued=row["continued"],
            stopped=row["stopped"],
            adjusted=row["adjusted"],
            oldest_open=row["oldest_open"],
        )
        for row in selectors.jps_monitoring(actor=request.auth)  # type: ignore[attr-defined]
    ]
