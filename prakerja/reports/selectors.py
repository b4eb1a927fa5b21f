"""Daily counts for the programme manager (SPEC §3.7, issue item 11).

Every count is one aggregate query grouped by the calendar day in Asia/Jakarta (WIB): the
seeds' figures ("62,000 online, 182 at the posts, 89 confirmations by 17:00 WIB") are WIB
days, and a UTC day would move the first seven hours of each morning to the day before.
The database does the counting; Python only lays the (at most ``MAX_DAYS``) days out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from prakerja.assistance.models import AssistanceVisit
from prakerja.registry.models import Channel, Registration

JAKARTA = ZoneInfo("Asia/Jakarta")
DEFAULT_DAYS = 14
MAX_DAYS = 366
STATUS_CONFIRMATION = "status_confirmation"
CALL_LOG_MODEL = ".".join(("callcenter", "CallLog"))  # looked up at run time, see below


@dataclass(frozen=True)
class Period:
    """Calendar days in WIB, both ends included."""

    start: date
    end: date

    @classmethod
    def default(cls, *, today: date | None = None, days: int = DEFAULT_DAYS) -> Period:
        today = today or timezone.localdate(timezone=JAKARTA)
        return cls(start=today - timedelta(days=days - 1), end=today)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time.min, tzinfo=JAKARTA),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=JAKARTA),
        )

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class ChannelDay:
    day: date
    online: int
    post: int
    callcentre: int

    @property
    def total(self) -> int:
        return self.online + self.post + self.callcentre


def registrations_per_day_by_channel(*, period: Period) -> list[ChannelDay]:
    """Registrations submitted per WIB day, by channel (online / post / call centre)."""
    low, high = period.bounds
    rows = (
        Registration.objects.filter(submitted_at__gte=low, submitted_at__lt=high)
        .annotate(day=TruncDate("submitted_at", tzinfo=JAKARTA))
        .values("day")
        .annotate(
            online=Count("pk", filter=Q(channel=Channel.ONLINE)),
            post=Count("pk", filter=Q(channel=Channel.POST)),
            callcentre=Count("pk", filter=Q(channel=Channel.CALLCENTRE)),
        )
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    empty = {"online": 0, "post": 0, "callcentre": 0}
    return [
        ChannelDay(
            day=day,
            online=by_day.get(day, empty)["online"],
            post=by_day.get(day, empty)["post"],
            callcentre=by_day.get(day, empty)["callcentre"],
        )
        for day in period.days()
    ]


@dataclass(frozen=True)
class PostDay:
    day: date
    post_code: str
    post_name: str
    people: int


def people_assisted_per_post_per_day(*, period: Period) -> list[PostDay]:
    """People assisted per post and WIB day: one ``AssistanceVisit`` is one person served.

    Only (post, day) pairs with at least one visit: 56 posts × 14 days of mostly zeros would
    bury the figures a manager reads.
    """
    low, high = period.bounds
    rows = (
        AssistanceVisit.objects.filter(created_at__gte=low, created_at__lt=high)
        .annotate(day=TruncDate("created_at", tzinfo=JAKARTA))
        .values("day", "post__code", "post__name")
        .annotate(people=Count("pk"))
        .order_by("day", "post__name")
    )
    return [
        PostDay(
            day=row["day"],
            post_code=row["post__code"],
            post_name=row["post__name"],
            people=row["people"],
        )
        for row in rows
    ]


def call_log_model() -> type | None:
    """The call-centre's ``CallLog`` once that app has it (it lands in the same issue)."""
    try:
        return apps.get_model(CALL_LOG_MODEL)
    except LookupError:
        return None


@dataclass(frozen=True)
class CountDay:
    day: date
    count: int


def callcentre_confirmations_per_day(*, period: Period) -> list[CountDay] | None:
    """Status-confirmation calls logged per WIB day; None while there is no call log."""
    model = call_log_model()
    if model is None:
        return None
    low, high = period.bounds
    rows = (
        model.objects.filter(  # type: ignore[attr-defined]
            category=STATUS_CONFIRMATION, created_at__gte=low, created_at__lt=high
        )
        .annotate(day=TruncDate("created_at", tzinfo=JAKARTA))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    by_day = {row["day"]: row["count"] for row in rows}
    return [CountDay(day=day, count=by_day.get(day, 0)) for day in period.days()]
