"""Reads for the leaders' dashboard: the pre-aggregated tables only (``reports.models``).

Five GROUP BYs over ``DailyCount`` for the period, the quota table and the names of the
regencies and posts: a fixed number of queries whatever the number of registrations (pinned
in the tests); the figures' arithmetic (shares, totals) is done here on a few hundred rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from prakerja.assistance.models import Post
from prakerja.labourdata.models import Category
from prakerja.regions.models import Regency
from prakerja.registry.models import Channel
from prakerja.reports.models import FUNNEL, DailyCount, Metric, QuotaFill, RefreshState
from prakerja.reports.selectors import Period

CHANNELS: tuple[str, ...] = (Channel.ONLINE, Channel.POST, Channel.CALLCENTRE)


@dataclass
class Stage:
    metric: str
    label: str
    value: int
    share: float | None  # of the first stage, in percent


@dataclass
class DayRow:
    day: dt.date
    funnel: list[int]
    online: int = 0
    post: int = 0
    callcentre: int = 0
    confirmations: int = 0
    visits: int = 0


@dataclass
class SplitRow:
    key: str
    label: str
    funnel: list[int]
    extra: int = 0  # regencies: worker reports; posts: people served


@dataclass
class PostDayRow:
    day: dt.date
    post: str
    people: int


@dataclass
class QuotaRow:
    wave: str
    regency: str
    quota: int
    filled: int
    enrolled: int

    @property
    def percent(self) -> float:
        return 100.0 * self.filled / self.quota if self.quota else 0.0


@dataclass
class Dashboard:
    period: Period
    refreshed_at: dt.datetime | None
    stages: list[Stage]
    days: list[DayRow]
    channels: list[SplitRow]
    regencies: list[SplitRow]
    posts: list[SplitRow]
    post_days: list[PostDayRow]
    quota: list[QuotaRow]
    categories: list[tuple[str, int]]
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def funnel_labels(self) -> list[str]:
        return [stage.label for stage in self.stages]


def refreshed_at() -> dt.datetime | None:
    state = RefreshState.objects.filter(pk=1).only("refreshed_at").first()
    return state.refreshed_at if state else None


def dashboard_get(*, period: Period) -> Dashboard:
    rows = DailyCount.objects.filter(day__gte=period.start, day__lte=period.end).order_by()
    index = {metric.value: n for n, metric in enumerate(FUNNEL)}

    # 1. per day, metric and channel: the funnel per day, the channels, the totals.
    days = {day: DayRow(day=day, funnel=[0] * len(FUNNEL)) for day in period.days()}
    channels = {
        code: SplitRow(key=code, label=str(Channel(code).label), funnel=[0] * len(FUNNEL))
        for code in CHANNELS
    }
    totals: dict[str, int] = defaultdict(int)
    for row in rows.values("day", "metric", "channel").annotate(n=Sum("value")):
        day, metric, channel, n = row["day"], row["metric"], row["channel"], row["n"]
        totals[metric] += n
        day_row = days.get(day)
        if metric in index:
            if day_row is not None:
                day_row.funnel[index[metric]] += n
            if channel in channels:
                channels[channel].funnel[index[metric]] += n
            if metric == Metric.COMPLETE and day_row is not None and channel in CHANNELS:
                setattr(day_row, channel, getattr(day_row, channel) + n)
        elif day_row is not None and metric == Metric.CALL_CONFIRMATION:
            day_row.confirmations += n
        elif day_row is not None and metric == Metric.POST_VISIT:
            day_row.visits += n

    # 2. per regency (names from the 38 regencies of East Java, and any other that occurs).
    regency_names = dict(Regency.objects.filter(province_id="35").values_list("code", "name"))
    regencies: dict[str, SplitRow] = {}
    per_regency = (
        rows.filter(metric__in=[*index, Metric.WORKER_REPORT])
        .values("metric", "regency")
        .annotate(n=Sum("value"))
    )
    for reg in per_regency:
        code = reg["regency"]
        split = regencies.setdefault(
            code,
            SplitRow(key=code, label=regency_names.get(code, code), funnel=[0] * len(FUNNEL)),
        )
        if reg["metric"] == Metric.WORKER_REPORT:
            split.extra += reg["n"]
        else:
            split.funnel[index[reg["metric"]]] += reg["n"]

    # 3. per post: registrations made there and people served.
    posts_named = {
        pk: (name, regency_names.get(regency, regency))
        for pk, name, regency in Post.objects.values_list("pk", "name", "regency_id")
    }
    posts: dict[int, SplitRow] = {}
    per_post = (
        rows.filter(post__gt=0, metric__in=[*index, Metric.POST_VISIT])
        .values("metric", "post")
        .annotate(n=Sum("value"))
    )
    for prow in per_post:
        name, regency = posts_named.get(prow["post"], (str(prow["post"]), ""))
        split = posts.setdefault(
            prow["post"],
            SplitRow(key=regency, label=name, funnel=[0] * len(FUNNEL)),
        )
        if prow["metric"] == Metric.POST_VISIT:
            split.extra += prow["n"]
        else:
            split.funnel[index[prow["metric"]]] += prow["n"]

    # 4. people served per post and day (only pairs with someone served).
    post_days = [
        PostDayRow(
            day=row["day"],
            post=posts_named.get(row["post"], (str(row["post"]), ""))[0],
            people=row["n"],
        )
        for row in rows.filter(metric=Metric.POST_VISIT)
        .values("day", "post")
        .annotate(n=Sum("value"))
        .order_by("day", "post")
    ]

    # 5. worker reports per category.
    labels = dict(Category.choices)
    categories = [
        (str(labels.get(row["category"], row["category"])), row["n"])
        for row in rows.filter(metric=Metric.WORKER_REPORT)
        .values("category")
        .annotate(n=Sum("value"))
        .order_by("category")
    ]

    quota = [
        QuotaRow(
            wave=fill.wave_name,
            regency=regency_names.get(fill.regency, fill.regency),
            quota=fill.quota,
            filled=fill.filled,
            enrolled=fill.enrolled,
        )
        for fill in QuotaFill.objects.order_by("-wave", "regency")
    ]

    first = totals.get(FUNNEL[0].value, 0)
    stages = [
        Stage(
            metric=metric.value,
            label=str(metric.label),
            value=totals.get(metric.value, 0),
            share=(100.0 * totals.get(metric.value, 0) / first) if first else None,
        )
        for metric in FUNNEL
    ]
    return Dashboard(
        period=period,
        refreshed_at=refreshed_at(),
        stages=stages,
        days=list(days.values()),
        channels=list(channels.values()),
        regencies=sorted(regencies.values(), key=lambda r: (-r.funnel[2], r.label)),
        posts=sorted(posts.values(), key=lambda r: (-r.extra, r.label)),
        post_days=post_days,
        quota=quota,
        categories=categories,
        totals=dict(totals),
    )
