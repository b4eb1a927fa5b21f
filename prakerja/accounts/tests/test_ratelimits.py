"""The sign-in's rate limits in one Redis round trip (prakerja.accounts.ratelimits): allauth's
rates and keys, every window counted at once, nothing counted on a refusal."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import caches
from django.test import RequestFactory
from redis import Redis

from prakerja.accounts import ratelimits


@pytest.fixture
def redis_cache() -> Any:
    from django_redis.cache import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        pytest.skip("needs Redis (a Lua script): run with REDIS_URL=redis://… to include it")
    return cache


def _request(address: str = "10.0.0.1") -> Any:
    return RequestFactory().post("/accounts/login/code/", REMOTE_ADDR=address)


def _consume(action: str, key: str, address: str = "10.0.0.1") -> bool:
    return ratelimits.consume(_request(address), action=action, key=key)


@pytest.mark.usefixtures("redis_cache")
def test_each_rate_is_counted_and_a_refusal_counts_in_none(settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"try": "2/m/ip,1/m/key"}
    assert _consume("try", "A")  # address 1 of 2, A 1 of 1
    assert not _consume("try", "A")  # A is full: the address is not counted
    assert _consume("try", "B")  # address 2 of 2
    assert not _consume("try", "C")  # the address is full
    assert _consume("try", "C", address="10.0.0.2")  # another address, C not counted before


@pytest.mark.usefixtures("redis_cache")
def test_the_window_slides(settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"try": "1/1s/key"}
    assert _consume("try", "A")
    assert not _consume("try", "A")
    time.sleep(1.05)
    assert _consume("try", "A")


@pytest.mark.usefixtures("redis_cache")
def test_one_round_trip_and_keys_that_expire_with_their_window(
    settings: Any, monkeypatch: pytest.MonkeyPatch, redis_cache: Any
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"try": "60/m/ip,3/10m/key,10/d/key"}
    _consume("try", "A")  # the server learns the script
    commands: list[Any] = []
    real = Redis.execute_command

    def counted(self: Redis, *args: Any, **options: Any) -> Any:
        commands.append(args[0])
        return real(self, *args, **options)

    monkeypatch.setattr(Redis, "execute_command", counted)
    assert _consume("try", "A")
    assert commands == ["EVALSHA"]
    monkeypatch.undo()
    redis = redis_cache.client.get_client(write=True)
    keys = sorted(redis.keys("*allauth:rl:allauth.account:try:*:log"))
    assert len(keys) == 3
    ttls = sorted(redis.pttl(key) for key in keys)
    assert 0 < ttls[0] <= 60_000 and 60_000 < ttls[1] <= 600_000 and ttls[2] > 600_000
    assert all(redis.zcard(key) == 2 for key in keys)


@pytest.mark.usefixtures("redis_cache")
def test_an_action_without_rates_is_allowed_and_counts_nothing(settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {}
    assert all(_consume("try", "A") for _ in range(5))
    redis = caches["default"].client.get_client(write=True)  # type: ignore[attr-defined]
    assert redis.keys("*allauth:rl:*") == []


def test_without_redis_allauth_counts(settings: Any) -> None:
    from django_redis.cache import RedisCache

    if isinstance(caches["default"], RedisCache):
        pytest.skip("runs without Redis (the demo's and SQLite run's local cache)")
    settings.ACCOUNT_RATE_LIMITS = {"try": "3/m/ip,1/m/key"}
    assert _consume("try", "A")
    assert not _consume("try", "A")
    # allauth counts a refused hit in the windows checked before the full one.
    assert _consume("try", "B")
    assert not _consume("try", "C")
