"""The refresh of ``DailyCount`` and ``QuotaFill``: set-based, incremental, safe to repeat.

Every metric is one source query (a queryset of the rows that count, the timestamp that
places a row on a WIB day, and the dimensions), grouped by the database and written with one
``INSERT INTO reports_dailycount … SELECT … GROUP BY`` per metric. No row of the source
tables comes into Python.

How each funnel stage is counted (each on the WIB day it happened; channel, regency and post
are always the registration's: ``channel``, ``domicile_regency``, ``assisted_post``):

* registered — ``Registration.created_at``: the registration was started (a draft counts; an
  officer's or a call-centre agent's registration starts when they open it);
* phone verified — ``User.phone_verified_at`` of the registration's account (the SMS code was
  entered; a walk-in registered without a phone of their own never reaches this stage);
* complete — ``Registration.submitted_at``: every answer given and sent, eligible or not;
* tested — ``Registration.test_completed_at``;
* joined a wave — ``WaveEntry.joined_at`` of entries that were not carried over from an
  earlier wave (a carried-over entry is the same person waiting, not a new join); somebody
  who joins a later wave again by their own choice counts again on that day;
* selected — ``enrolment.Participant.selected_at`` (one participant per selected wave entry,
  including those promoted from the waiting list later);
* enrolled — ``Participant.first_enrolled_at`` (first course bought);
* completed — the participant's first ``Enrolment`` with status completed, on its
  ``completed_at`` (a second course completed later does not count the person again).

Besides the funnel: people assisted per post (one ``AssistanceVisit`` = one person served,
on the post's regency), call-centre status confirmations (``CallLog`` with category
``status_confirmation``) and reported workers per category (one ``WorkerReport`` = one
report of a worker, dated by the day its list was uploaded, in the report's regency).

Incremental: a refresh finds the *touched days* — the WIB days of every event whose
timestamp is at or after the previous refresh's start (less ``OVERLAP``, so a transaction that
committed late is still seen), plus the days of every stage of a registration changed since
then (``updated_at``: a draft that gains its regency moves its "registered" count) — deletes
those days' rows and inserts them again from the sources. A refresh run twice gives the same
table. What no timestamp reveals (a row deleted, a bulk ``UPDATE`` that leaves ``updated_at``
alone) is caught by the nightly full rebuild (``full=True``, ``core.periodic``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from prakerja.assistance.models import AssistanceVisit
from prakerja.callcenter.models import CallLog
from prakerja.enrolment.models import Enrolment, Participant
from prakerja.labourdata.models import WorkerReport
from prakerja.registry.models import Registration
from prakerja.reports.models import DailyCount, Metric, QuotaFill, RefreshState
from prakerja.waves.models import RegencyQuota, WaveEntry

JAKARTA = ZoneInfo("Asia/Jakarta")
# Longer than any transaction that writes a counted row (a selection's publication is the
# longest, about a minute at 6 million): its rows carry a time from before it committed.
OVERLAP = dt.timedelta(hours=1)


def _dims(prefix: str) -> dict[str, object]:
    """Channel, regency and post of the registration at ``prefix`` ("" = the row itself)."""
    return {
        "d_channel": F(f"{prefix}channel"),
        "d_regency": Coalesce(F(f"{prefix}domicile_regency_id"), Value("")),
        "d_post": Coalesce(F(f"{prefix}assisted_post_id"), Value(0)),
        "d_category": Value(""),
    }


def _first_completions() -> QuerySet[Enrolment]:
    earlier = Enrolment.objects.filter(
        participant_id=OuterRef("participant_id"), status=Enrolment.Status.COMPLETED
    ).filter(
        Q(completed_at__lt=OuterRef("completed_at"))
        | Q(completed_at=OuterRef("completed_at"), pk__lt=OuterRef("pk"))
    )
    return Enrolment.objects.filter(
        status=Enrolment.Status.COMPLETED, completed_at__isnull=False
    ).filter(~Exists(earlier))


@dataclass(frozen=True)
class Source:
    metric: Metric
    rows: Callable[[], QuerySet]  # type: ignore[type-arg]
    timestamp: str
    dims: Callable[[], dict[str, object]]


SOURCES: tuple[Source, ...] = (
    Source(Metric.REGISTERED, Registration.objects.all, "created_at", lambda: _dims("")),
    Source(
        Metric.PHONE_VERIFIED,
        Registration.objects.all,
        "user__phone_verified_at",
        lambda: _dims(""),
    ),
    Source(Metric.COMPLETE, Registration.objects.all, "submitted_at", lambda: _dims("")),
    Source(Metric.TESTED, Registration.objects.all, "test_completed_at", lambda: _dims("")),
    Source(
        Metric.JOINED,
        lambda: WaveEntry.objects.filter(carried_from__isnull=True),
        "joined_at",
        lambda: _dims("registration__"),
    ),
    Source(
        Metric.SELECTED, Participant.objects.all, "selected_at", lambda: _dims("registration__")
    ),
    Source(
        Metric.ENROLLED,
        Participant.objects.all,
        "first_enrolled_at",
        lambda: _dims("registration__"),
    ),
    Source(
        Metric.COMPLETED,
        _first_completions,
        "completed_at",
        lambda: _dims("participant__registration__"),
    ),
    Source(
        Metric.POST_VISIT,
        AssistanceVisit.objects.all,
        "created_at",
        lambda: {
            "d_channel": Value("post"),
            "d_regency": F("post__regency_id"),
            "d_post": F("post_id"),
            "d_category": Value(""),
        },
    ),
    Source(
        Metric.CALL_CONFIRMATION,
        lambda: CallLog.objects.filter(category=CallLog.Category.STATUS_CONFIRMATION),
        "created_at",
        lambda: {
            "d_channel": Value("callcentre"),
            "d_regency": Coalesce(F("registration__domicile_regency_id"), Value("")),
            "d_post": Value(0),
            "d_category": Value(""),
        },
    ),
    Source(
        Metric.WORKER_REPORT,
        WorkerReport.objects.all,
        "batch__created_at",
        lambda: {
            "d_channel": Value(""),
            "d_regency": Coalesce(F("regency_id"), Value("")),
            "d_post": Value(0),
            "d_category": F("category"),
        },
    ),
)


def _day_bounds(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=JAKARTA)


def _runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days, (first, last)."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + dt.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _within(timestamp: str, days: set[dt.date] | None) -> Q:
    if days is None:
        return Q(**{f"{timestamp}__isnull": False})
    q = Q(pk__in=[])
    for first, last in _runs(days):
        q |= Q(
            **{
                f"{timestamp}__gte": _day_bounds(first),
                f"{timestamp}__lt": _day_bounds(last + dt.timedelta(days=1)),
            }
        )
    return q


def _insert(source: Source, days: set[dt.date] | None) -> None:
    grouped = (
        source.rows()
        .filter(_within(source.timestamp, days))
        .order_by()
        .values(d_day=TruncDate(source.timestamp, tzinfo=JAKARTA), **source.dims())
        .annotate(d_value=Count("*"))
    )
    sql, params = grouped.query.sql_with_params()
    table = DailyCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, metric, channel, regency, post, category, value) "  # noqa: S608 (names from the models, values as parameters)
            f"SELECT g.d_day, %s, g.d_channel, g.d_regency, g.d_post, g.d_category, g.d_value "
            f"FROM ({sql}) g",
            (source.metric.value, *params),
        )


def _days_of(rows: QuerySet, timestamps: Iterable[str]) -> set[dt.date]:  # type: ignore[type-arg]
    found: set[dt.date] = set()
    for timestamp in timestamps:
        found.update(
            rows.filter(**{f"{timestamp}__isnull": False})
            .order_by()
            .values_list(TruncDate(timestamp, tzinfo=JAKARTA), flat=True)
            .distinct()
        )
    return found


def touched_days(*, since: dt.datetime) -> set[dt.date]:
    """The WIB days whose counts may have changed since ``since``."""
    days: set[dt.date] = set()
    for source in SOURCES:
        if source.rows().model is not Registration:
            days |= _days_of(
                source.rows().filter(**{f"{source.timestamp}__gte": since}), [source.timestamp]
            )
    # The registrations' four stages in one pass over the table (it has millions of rows and
    # indexes on none of these columns but submitted_at): every stage day of a row that
    # changed or had an event since ``since``.
    stages = [s.timestamp for s in SOURCES if s.rows().model is Registration]
    changed = Registration.objects.filter(
        Q(*[Q(**{f"{column}__gte": since}) for column in ["updated_at", *stages]], _connector=Q.OR)
    )
    for found in (
        changed.order_by()
        .values_list(*[TruncDate(stage, tzinfo=JAKARTA) for stage in stages])
        .distinct()
    ):
        days.update(day for day in found if day is not None)
    # A list still being stored adds reports to its upload day, whenever that was.
    unfinished = WorkerReport.objects.filter(
        Q(batch__finished_at__isnull=True) | Q(batch__finished_at__gte=since)
    )
    days |= _days_of(unfinished, ["batch__created_at"])
    return days


def quota_fill_rebuild() -> int:
    """Every wave's quota per regency with its active participants and those who bought a
    course; one GROUP BY over the participants (at most the sum of the quotas)."""
    taken: dict[tuple[int, str], dict[str, int]] = {
        (row["wave_id"], row["regency_id"]): {"filled": row["filled"], "enrolled": row["enrolled"]}
        for row in Participant.objects.filter(status=Participant.Status.ACTIVE)
        .order_by()
        .values("wave_id", "regency_id")
        .annotate(
            filled=Count("pk"), enrolled=Count("pk", filter=Q(first_enrolled_at__isnull=False))
        )
    }
    rows = []
    for quota in RegencyQuota.objects.select_related("wave").order_by("wave_id", "regency_id"):
        counts: dict[str, int] = taken.get((quota.wave_id, quota.regency_id), {})
        rows.append(
            QuotaFill(
                wave=quota.wave_id,
                wave_name=quota.wave.name,
                regency=quota.regency_id,
                quota=quota.quota,
                filled=counts.get("filled", 0),
                enrolled=counts.get("enrolled", 0),
            )
        )
    QuotaFill.objects.all().delete()
    QuotaFill.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@dataclass(frozen=True)
class RefreshSummary:
    full: bool
    days: int
    rows: int


def daily_counts_refresh(*, full: bool = False) -> RefreshSummary:
    """Rebuild the touched days (all days when ``full`` or on the first run) in one
    transaction: a page reads either the old counts or the new ones, never half of each."""
    started = timezone.now()
    with transaction.atomic():
        RefreshState.objects.get_or_create(pk=1)
        # Held to the commit: a second refresh waits, then finds little left to do.
        state = RefreshState.objects.select_for_update().get(pk=1)
        if full or state.watermark is None:
            days: set[dt.date] | None = None
            DailyCount.objects.all().delete()
        else:
            days = touched_days(since=state.watermark - OVERLAP)
            DailyCount.objects.filter(day__in=sorted(days)).delete()
        if days is None or days:
            for source in SOURCES:
                _insert(source, days)
        quota_fill_rebuild()
        counted = len(days) if days is not None else DailyCount.objects.dates("day", "day").count()
        state.watermark = started
        state.refreshed_at = timezone.now()
        state.days_refreshed = counted
        state.save()
        rows = DailyCount.objects.count()
    return RefreshSummary(full=days is None, days=counted, rows=rows)
