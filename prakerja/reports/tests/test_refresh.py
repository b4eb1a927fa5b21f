"""The refresh: the funnel on a known population, incremental days, repeatable."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command

from prakerja.accounts.models import User
from prakerja.assistance.console.testing import make_registration
from prakerja.registry.models import Registration
from prakerja.reports.models import DailyCount, Metric, QuotaFill, RefreshState
from prakerja.reports.refresh import daily_counts_refresh
from prakerja.reports.tests.factories import D13, D14, D15, D16, Known, at, known_population


@pytest.fixture
def known(officer: User, callcentre_agent: User) -> Known:
    return known_population(officer=officer, agent=callcentre_agent)


def _table() -> list[tuple[object, ...]]:
    return sorted(
        DailyCount.objects.values_list(
            "day", "metric", "channel", "regency", "post", "category", "value"
        )
    )


def _per_day_metric() -> Counter[tuple[date, str]]:
    totals: Counter[tuple[date, str]] = Counter()
    for day, metric, value in DailyCount.objects.values_list("day", "metric", "value"):
        totals[(day, metric)] += value
    return totals


def test_it_counts_every_funnel_stage_on_its_wib_day(known: Known, officer: User) -> None:
    daily_counts_refresh()
    assert _per_day_metric() == {
        (D13, Metric.REGISTERED): 4,  # three sent online, one draft at the post
        (D13, Metric.PHONE_VERIFIED): 2,
        (D13, Metric.COMPLETE): 3,
        (D14, Metric.TESTED): 2,
        (D14, Metric.JOINED): 3,
        (D15, Metric.SELECTED): 2,
        (D15, Metric.ENROLLED): 1,
        (D16, Metric.COMPLETED): 1,  # the second course, on the 17th, does not count again
        (D13, Metric.POST_VISIT): 2,
        (D14, Metric.CALL_CONFIRMATION): 1,
        (D14, Metric.WORKER_REPORT): 2,
    }
    post_rows = DailyCount.objects.filter(day=D13, metric=Metric.REGISTERED, channel="post")
    assert list(post_rows.values_list("regency", "post", "value")) == [("3578", officer.post_id, 1)]
    categories = dict(
        DailyCount.objects.filter(metric=Metric.WORKER_REPORT).values_list("category", "value")
    )
    assert categories == {"laid_off": 1, "furloughed": 1}


def test_it_fills_the_quota_table(known: Known) -> None:
    daily_counts_refresh()
    fill = QuotaFill.objects.get()
    assert (fill.regency, fill.quota, fill.filled, fill.enrolled) == ("3578", 2, 2, 1)


def test_refreshing_twice_gives_the_same_table(known: Known) -> None:
    daily_counts_refresh()
    first = _table()
    daily_counts_refresh()
    assert _table() == first
    daily_counts_refresh(full=True)
    assert _table() == first


def test_a_new_registration_changes_only_its_own_day(known: Known) -> None:
    daily_counts_refresh()
    before = {(row[0], row[1], row[2], row[3]): row for row in _table()}
    ids_before = dict(DailyCount.objects.values_list("pk", "day"))
    # Its timestamps are now, as for any new registration: today is touched, not the 13th.
    make_registration(submitted_at=at(date.today(), 9))
    summary = daily_counts_refresh()
    assert not summary.full
    after = {(row[0], row[1], row[2], row[3]): row for row in _table()}
    changed = {key[0] for key in set(before) ^ set(after)} | {
        key[0] for key in before.keys() & after.keys() if before[key] != after[key]
    }
    assert changed <= {date.today(), at(date.today(), 9).date()}
    # The rows of other days were not rewritten (same primary keys).
    kept = dict(DailyCount.objects.exclude(day=date.today()).values_list("pk", "day"))
    assert kept.items() <= ids_before.items()


def test_a_backdated_change_is_found_through_updated_at(known: Known) -> None:
    daily_counts_refresh()
    draft = known.post_draft
    draft.refresh_from_db()
    draft.domicile_regency_id = "3573"  # Kota Malang: the 13th's post row moves regency
    draft.save()
    daily_counts_refresh()
    row = DailyCount.objects.get(day=D13, metric=Metric.REGISTERED, channel="post")
    assert row.regency == "3573"
    assert RefreshState.objects.get().days_refreshed >= 1


def test_the_command_refreshes(known: Known) -> None:
    call_command("reports_refresh", "--full", verbosity=0)
    assert DailyCount.objects.filter(metric=Metric.COMPLETE).exists()
    assert Registration.objects.count() == 4
