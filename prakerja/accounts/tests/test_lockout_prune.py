"""Expired sign-in attempts are swept hourly, not at every sign-in (``LockoutHandler``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prakerja.accounts.lockout import lockout_attempts_prune
from prakerja.accounts.models import Role
from prakerja.accounts.tasks import lockout_attempts_prune_periodic
from prakerja.accounts.testing import make_user, sign_in_with_totp
from prakerja.core.periodic import SCHEDULE

pytestmark = pytest.mark.django_db


def _attempt(username: str, age: timedelta, ip_address: str = "10.9.9.9") -> AccessAttempt:
    attempt = AccessAttempt.objects.create(
        username=username,
        ip_address=ip_address,
        user_agent="uji",
        http_accept="*/*",
        path_info="/accounts/login/",
        failures_since_start=5,
    )
    # attempt_time is set on insert (auto_now_add): aged afterwards.
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - age)
    return attempt


def test_a_sign_in_does_not_sweep_the_attempts_table(settings: Any) -> None:
    expired = _attempt("lama", settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
    officer = make_user(role=Role.OFFICER, username="ani")

    client = Client(REMOTE_ADDR="10.1.1.1")
    with CaptureQueriesContext(connection) as queries:
        sign_in_with_totp(client, officer)

    assert client.session.get("_auth_user_id") == str(officer.pk)
    # No statement over the whole table by attempt time (it has no index on that column).
    sweeps = [q["sql"] for q in queries.captured_queries if '"attempt_time" <=' in q["sql"]]
    assert sweeps == []
    assert AccessAttempt.objects.filter(pk=expired.pk).exists()


def test_the_hourly_sweep_deletes_only_attempts_past_the_cool_off(settings: Any) -> None:
    expired = _attempt("lama", settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
    recent = _attempt("baru", settings.AXES_COOLOFF_TIME - timedelta(minutes=1))

    assert lockout_attempts_prune() == 1

    assert not AccessAttempt.objects.filter(pk=expired.pk).exists()
    assert AccessAttempt.objects.filter(pk=recent.pk).exists()


def test_the_sweep_is_scheduled_hourly_and_runs_as_a_job(settings: Any) -> None:
    job = next(j for j in SCHEDULE if j.name == "lockout_attempts_prune")
    assert job.task == "prakerja.accounts.tasks.lockout_attempts_prune_periodic"
    assert job.every == timedelta(hours=1)
    _attempt("lama", settings.AXES_COOLOFF_TIME + timedelta(hours=1))

    deleted = lockout_attempts_prune_periodic.call(period=timezone.now().isoformat())

    assert deleted == 1
    assert not AccessAttempt.objects.exists()


def test_an_expired_lock_does_not_hold_before_the_sweep(settings: Any) -> None:
    """axes counts only attempts newer than the cool-off: one left for the sweep locks no one."""
    officer = make_user(role=Role.OFFICER, username="budi")
    _attempt("budi", settings.AXES_COOLOFF_TIME + timedelta(minutes=1), ip_address="10.1.1.2")

    client = Client(REMOTE_ADDR="10.1.1.2")
    sign_in_with_totp(client, officer)

    assert client.session.get("_auth_user_id") == str(officer.pk)
