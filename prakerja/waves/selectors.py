"""Reads of the waves app: waves, the outcome of a run per regency, an applicant's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import NotFound
from prakerja.core.processcache import ProcessCache
from prakerja.core.rowsql import RowLoader
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA
from prakerja.registry.models import EmploymentStatus, Programme, Registration
from prakerja.waves.errors import WavesError
from prakerja.waves.models import (
    Announcement,
    JoinBlock,
    RegencyQuota,
    SelectionResult,
    SelectionRun,
    Wave,
    WaveEntry,
)
from prakerja.waves.selection import reserved_permille


def wave_list(*, programme: Programme | None = None) -> QuerySet[Wave]:
    waves = Wave.objects.select_related("programme").order_by("programme_id", "number")
    return waves.filter(programme=programme) if programme is not None else waves


# The waves open for joining, per programme: read by every confirmation and status page, changed
# by a manager a few times a year. Dropped at once in the process that saves a wave
# (``waves.apps``), followed by the others within 5 s; joining checks the wave again itself.
open_waves_cache: ProcessCache[tuple[Wave, ...]] = ProcessCache("open waves", ttl=5.0)


def wave_open_for(*, programme_id: int) -> Wave | None:
    """The wave currently open for joining, if any (read-only: shared between threads). By
    the programme's id: a registration's pages need not load the programme for it."""
    now = timezone.now()
    waves = open_waves_cache.get(
        programme_id,
        lambda: tuple(
            Wave.objects.filter(programme_id=programme_id, status=Wave.Status.OPEN).order_by(
                "number"
            )
        ),
    )
    return next((w for w in waves if w.opens_at <= now < w.closes_at), None)


def run_published_of(*, wave: Wave) -> SelectionRun | None:
    return SelectionRun.objects.filter(wave=wave, status=SelectionRun.Status.PUBLISHED).first()


@dataclass(frozen=True)
class RegencyOutcome:
    regency_code: str
    regency_name: str
    quota: int
    eligible: int
    selected: int
    reserved_seats: int
    reserved_used: int

    @property
    def reserved_share_used(self) -> float | None:
        """Reserved seats taken by reported workers, as a share of the seats reserved."""
        return None if not self.reserved_seats else self.reserved_used / self.reserved_seats


def selection_outcome_per_regency(*, run: SelectionRun) -> list[RegencyOutcome]:
    """The dry-run table: per regency with a quota, its quota, the applicants ranked
    (eligible), those selected, and how much of the reserved share was used. One GROUP BY."""
    share = run.parameters.get("reserved_share")
    permille = reserved_permille(None if share is None else Decimal(share))
    counts: dict[str, Any] = {
        row["regency_id"]: row
        for row in SelectionResult.objects.filter(run=run)
        .values("regency_id")
        .annotate(
            eligible=Count("registration_id", filter=Q(rank_in_regency__isnull=False)),
            selected=Count("registration_id", filter=Q(selected=True)),
            reserved=Count("registration_id", filter=Q(reserved=True)),
        )
    }
    outcome = []
    for quota in RegencyQuota.objects.filter(wave_id=run.wave_id).select_related("regency"):
        row: dict[str, Any] = counts.get(quota.regency_id, {})
        outcome.append(
            RegencyOutcome(
                regency_code=quota.regency_id,
                regency_name=quota.regency.name,
                quota=quota.quota,
                eligible=int(row.get("eligible", 0)),
                selected=int(row.get("selected", 0)),
                reserved_seats=quota.quota * permille // 1000,
                reserved_used=int(row.get("reserved", 0)),
            )
        )
    return outcome


def join_blocked_until(registration_id: int) -> datetime | None:
    """The end of the longest block still running on the registration (a place revoked by
    the enrolment app, ``JoinBlock``), or None."""
    return (
        JoinBlock.objects.filter(registration_id=registration_id, until__gt=timezone.now())
        .order_by("-until")
        .values_list("until", flat=True)
        .first()
    )


# Next-step codes (the status page turns them into Indonesian text and links).
NEXT_COMPLETE_REGISTRATION = "complete_registration"
NEXT_JOIN_WAVE = "join_wave"
NEXT_WAIT_ANNOUNCEMENT = "wait_announcement"
NEXT_CHOOSE_TRAINING = "choose_training"
NEXT_NEXT_WAVE = "next_wave"
NEXT_COMPLAINT = "complaint"
# The reason shown for an applicant selected from the waiting list after a revocation.
REASON_PROMOTED = "promoted"
REASON_PROMOTED_LABEL = _(
    "Terpilih dari daftar tunggu, menggantikan peserta yang kepesertaannya dicabut"
)


@dataclass(frozen=True)
class ApplicantResult:
    """What an applicant may know of their standing in a wave.

    ``result``: ``none`` (in no wave), ``waiting`` (waiting list, see ``missing_items``),
    ``joined`` (waiting for the announcement), ``selected`` or ``not_selected`` (published),
    ``carried_over`` (moved to the next wave: ``wave`` is the wave it was carried from),
    ``revoked`` (selected, then the place was lost: no training bought by the deadline;
    ``blocked_until`` says when they may join a wave again). An applicant promoted from the
    waiting list after a revocation is ``selected`` with the reason ``promoted``.
    """

    result: str
    wave: Wave | None
    category: str
    category_label: str
    reported_by_disnaker: bool
    has_disability: bool
    rank_in_regency: int | None = None
    regency_code: str | None = None
    regency_quota: int | None = None
    reason_code: str | None = None
    reason_label: str | None = None
    missing_items: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    blocked_until: datetime | None = None


_entry_loader = RowLoader(WaveEntry, related="wave")


def _latest_entry(*, registration_id: int, wave_id: int | None) -> WaveEntry | None:
    """``WaveEntry.objects.filter(registration=…(, wave=…)).select_related("wave")
    .order_by("-wave__number").first()`` in one hand-written statement: the status page and
    the confirmation after every submission read it (``core.rowsql``)."""
    where, params = "e.registration_id = %s", [registration_id]
    if wave_id is not None:
        where, params = "e.registration_id = %s AND e.wave_id = %s", [registration_id, wave_id]
    sql = _entry_loader.select("e", where, related_alias="w", order="w.number DESC", limit=1)
    return _entry_loader.first(sql, params)  # type: ignore[return-value]


def applicant_result(*, registration: Registration, wave: Wave | None = None) -> ApplicantResult:
    """The applicant's result in ``wave`` (default: their latest wave). Results of a run are
    shown only once it is published: a dry run is never visible to applicants."""
    entry = _latest_entry(registration_id=registration.pk, wave_id=wave.pk if wave else None)
    category = registration.employment_status or ""
    label = str(EmploymentStatus(category).label) if category in EmploymentStatus.values else ""
    base: dict[str, Any] = {
        "category": category,
        "category_label": label,
        "reported_by_disnaker": registration.reported_by_disnaker,
        "has_disability": registration.has_disability,
    }
    if entry is None:
        steps = (
            [NEXT_COMPLETE_REGISTRATION]
            if registration.status == Registration.Status.DRAFT
            else [NEXT_JOIN_WAVE]
            if registration.status == Registration.Status.SUBMITTED
            else [NEXT_COMPLAINT]
        )
        return ApplicantResult(result="none", wave=wave, next_steps=steps, **base)
    if entry.status == WaveEntry.Status.WAITING:
        return ApplicantResult(
            result="waiting",
            wave=entry.wave,
            missing_items=list(entry.missing_items),
            next_steps=[NEXT_COMPLETE_REGISTRATION, NEXT_JOIN_WAVE],
            **base,
        )
    if entry.status == WaveEntry.Status.JOINED:
        return ApplicantResult(
            result="joined", wave=entry.wave, next_steps=[NEXT_WAIT_ANNOUNCEMENT], **base
        )
    run = run_published_of(wave=entry.wave)
    row = (
        SelectionResult.objects.filter(run=run, registration=registration).first()
        if run is not None
        else None
    )
    quota = (
        RegencyQuota.objects.filter(wave=entry.wave, regency_id=row.regency_id)
        .values_list("quota", flat=True)
        .first()
        if row is not None and row.regency_id
        else None
    )
    result = {
        WaveEntry.Status.SELECTED: "selected",
        WaveEntry.Status.NOT_SELECTED: "not_selected",
        WaveEntry.Status.CARRIED_OVER: "carried_over",
        WaveEntry.Status.REVOKED: "revoked",
    }[WaveEntry.Status(entry.status)]
    next_steps = (
        [NEXT_CHOOSE_TRAINING]
        if result == "selected"
        else [NEXT_COMPLAINT]
        if result == "revoked"
        else [NEXT_NEXT_WAVE, NEXT_COMPLAINT]
    )
    reason_code = row.reason_code if row else None
    reason_label = str(SelectionResult.Reason(row.reason_code).label) if row else None
    if result == "selected" and row is not None and not row.selected:
        # Selected after publication: a revoked participant's place, by the run's order.
        reason_code, reason_label = REASON_PROMOTED, str(REASON_PROMOTED_LABEL)
    blocked_until = (
        JoinBlock.objects.filter(registration=registration, wave=entry.wave)
        .values_list("until", flat=True)
        .first()
        if result == "revoked"
        else None
    )
    return ApplicantResult(
        result=result,
        wave=entry.wave,
        rank_in_regency=row.rank_in_regency if row else None,
        regency_code=row.regency_id if row else None,
        regency_quota=quota,
        reason_code=reason_code,
        reason_label=reason_label,
        next_steps=next_steps,
        blocked_until=blocked_until,
        **base,
    )


def selection_run_get(*, run_id: int) -> SelectionRun:
    run = SelectionRun.objects.select_related("wave").filter(pk=run_id).first()
    if run is None:
        raise NotFound(WavesError.SELECTION_RUN_NOT_FOUND, _("Proses seleksi tidak ditemukan."))
    return run


# --- The manager's pages -------------------------------------------------------------------


def wave_get(*, wave_id: int) -> Wave:
    wave = Wave.objects.select_related("programme").filter(pk=wave_id).first()
    if wave is None:
        raise NotFound(WavesError.WAVE_NOT_FOUND, _("Gelombang tidak ditemukan."))
    return wave


def selection_run_for_page(*, run_id: int) -> SelectionRun:
    """A run with the people its page names (who created, approved, published it)."""
    run = (
        SelectionRun.objects.select_related(
            "wave", "created_by", "approved_by", "published_by", "rejected_by"
        )
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        raise NotFound(WavesError.RUN_PAGE_NOT_FOUND, _("Proses seleksi tidak ditemukan."))
    return run


def east_java_regencies() -> list[Regency]:
    return list(Regency.objects.filter(province_id=EAST_JAVA).order_by("code"))


def wave_list_with_entry_counts(*, programme: Programme) -> QuerySet[Wave]:
    # A subquery per wave rather than a join: joining entries (hundreds of thousands per
    # wave) to the waves would make the list page as slow as the biggest wave.
    entry_count = (
        WaveEntry.objects.filter(wave=OuterRef("pk"))
        .order_by()
        .values("wave")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Wave.objects.filter(programme=programme)
        .annotate(entry_count=Coalesce(Subquery(entry_count), 0))
        .order_by("-number")
    )


def wave_quotas_stored(*, wave: Wave) -> dict[str, int]:
    return dict(RegencyQuota.objects.filter(wave=wave).values_list("regency_id", "quota"))


def wave_quotas_with_regency(*, wave: Wave) -> QuerySet[RegencyQuota]:
    return wave.quotas.select_related("regency").order_by("regency_id")


def wave_quota_sum(*, wave: Wave) -> int:
    return int(wave.quotas.aggregate(total=Sum("quota"))["total"] or 0)


def wave_runs(*, wave: Wave) -> list[SelectionRun]:
    return list(
        SelectionRun.objects.filter(wave=wave)
        .select_related("created_by", "approved_by")
        .order_by("-created_at")
    )


def wave_entry_counts(*, wave: Wave) -> dict[str, int]:
    return wave.entries.aggregate(
        joined=Count("pk"),
        waiting=Count("pk", filter=Q(status=WaveEntry.Status.WAITING)),
    )


def announcement_counts(*, wave_id: int) -> dict[str, int]:
    """How far the announcement of a published wave got: claimed, texted, emailed, failed."""
    return Announcement.objects.filter(wave_id=wave_id).aggregate(
        claimed=Count("pk"),
        sms=Count("pk", filter=Q(sms_sent_at__isnull=False)),
        email=Count("pk", filter=Q(email_sent_at__isnull=False)),
        failed=Count("pk", filter=~Q(error="")),
    )


@dataclass(frozen=True)
class QuotaInputs:
    """The two inputs of an allocation by demand and training capacity, for one regency."""

    demand: int  # submitted registrations of the programme domiciled there
    capacity: int  # verified providers' yearly capacity there, for the wave's period

    @property
    def weight(self) -> int:
        return min(self.demand, self.capacity)


def quota_inputs(*, wave: Wave) -> dict[str, QuotaInputs]:
    """Per East Java regency: registrations and verified training capacity for the wave.

    Capacity = the sum of ``ProviderCapacity.yearly_capacity`` of VERIFIED providers of the
    regency × ``WAVE_TRAINING_PERIOD_DAYS`` / 365, rounded down."""
    from django.conf import settings

    from prakerja.training.models import Provider, ProviderCapacity

    regencies = list(Regency.objects.filter(province_id=EAST_JAVA).values_list("code", flat=True))
    demand = dict(
        Registration.objects.filter(
            programme_id=wave.programme_id,
            status=Registration.Status.SUBMITTED,
            domicile_regency_id__in=regencies,
        )
        .values_list("domicile_regency_id")
        .annotate(n=Count("id"))
    )
    yearly = dict(
        ProviderCapacity.objects.filter(
            provider__status=Provider.Status.VERIFIED, provider__regency_id__in=regencies
        )
        .values_list("provider__regency_id")
        .annotate(total=Sum("yearly_capacity"))
    )
    days = settings.WAVE_TRAINING_PERIOD_DAYS
    return {
        code: QuotaInputs(
            demand=demand.get(code, 0), capacity=(yearly.get(code) or 0) * days // 365
        )
        for code in regencies
    }


# --- What an irreversible step will do, shown before it is taken ---------------------------


@dataclass(frozen=True)
class ClosePreview:
    joined: int  # already in the wave
    joining: int  # submitted, not in it yet: join at close (automatic mode)
    drafts: int  # incomplete applications of the programme: go to the waiting list
    automatic: bool

    @property
    def in_selection(self) -> int:
        return self.joined + self.joining


def wave_close_preview(*, wave: Wave, automatic: bool) -> ClosePreview:
    """The numbers of "close this wave" (the same filters as ``services.waves.wave_close``)."""
    joined = WaveEntry.objects.filter(wave=wave, status=WaveEntry.Status.JOINED).count()
    joining = 0
    if automatic:
        now = timezone.now()
        joining = (
            Registration.objects.filter(
                programme_id=wave.programme_id, status=Registration.Status.SUBMITTED
            )
            .exclude(
                pk__in=WaveEntry.objects.filter(
                    Q(wave=wave) | Q(status=WaveEntry.Status.SELECTED)
                ).values("registration_id")
            )
            .exclude(pk__in=JoinBlock.objects.filter(until__gt=now).values("registration_id"))
            .count()
        )
    drafts = Registration.objects.filter(
        programme_id=wave.programme_id, status=Registration.Status.DRAFT
    ).count()
    return ClosePreview(joined=joined, joining=joining, drafts=drafts, automatic=automatic)


# A result this far (or farther) from the wave's previous dry run asks the approver to look
# twice: same applicants and quotas give the same count, so a big change means the input moved.
SHARP_CHANGE = Decimal("0.10")


@dataclass(frozen=True)
class RunReview:
    selected: int
    ranked: int  # eligible, ranked
    results: int  # everyone with a result row: each receives the outcome by SMS
    regencies_without_selected: int
    previous: SelectionRun | None
    previous_selected: int | None

    @property
    def not_selected(self) -> int:
        return self.results - self.selected

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.selected == 0:
            found.append(
                str(
                    _(
                        "Tidak ada satu pun pendaftar yang terpilih. Periksa kuota dan data "
                        "masukan sebelum menyetujui."
                    )
                )
            )
        if self.previous_selected is not None and self.previous is not None:
            base = max(self.previous_selected, 1)
            if Decimal(abs(self.selected - self.previous_selected)) / base >= SHARP_CHANGE:
                found.append(
                    str(
                        _(
                            "Jumlah terpilih berbeda jauh dari uji coba sebelumnya (#%(run)s: "
                            "%(before)s orang, sekarang %(now)s orang)."
                        )
                        % {
                            "run": self.previous.pk,
                            "before": number_format(self.previous_selected, force_grouping=True),
                            "now": number_format(self.selected, force_grouping=True),
                        }
                    )
                )
        return found


def selection_run_review(*, run: SelectionRun) -> RunReview:
    """What approving or publishing ``run`` means, in numbers, and what looks wrong."""
    rows = selection_outcome_per_regency(run=run)
    results = SelectionResult.objects.filter(run=run).count()
    previous = (
        SelectionRun.objects.filter(wave_id=run.wave_id, created_at__lt=run.created_at)
        .exclude(
            status__in=[
                SelectionRun.Status.QUEUED,
                SelectionRun.Status.RUNNING,
                SelectionRun.Status.FAILED,
            ]
        )
        .order_by("-created_at")
        .first()
    )
    previous_selected = (
        SelectionResult.objects.filter(run=previous, selected=True).count()
        if previous is not None
        else None
    )
    return RunReview(
        selected=sum(row.selected for row in rows),
        ranked=sum(row.eligible for row in rows),
        results=results,
        regencies_without_selected=sum(1 for row in rows if row.quota and not row.selected),
        previous=previous,
        previous_selected=previous_selected,
    )
