"""``core.throttle.distinct_hit``: different values counted once per window, the same value
free, a refused value refused again; with Redis one Lua script sharing django-ratelimit's
counter, so ``hit`` and ``peek`` of the group see its count."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches

from prakerja.core import throttle


@pytest.fixture(params=["cache", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    from django_redis.cache import RedisCache

    is_redis = isinstance(caches["default"], RedisCache)
    if request.param == "redis" and not is_redis:
        pytest.skip("needs Redis (a Lua script): run with REDIS_URL=redis://… to include it")
    if request.param == "cache" and is_redis:
        pytest.skip("the cache-command path runs without Redis (the demo's and SQLite run's)")
    caches["default"].clear()
    return str(request.param)


def _try(key: str, digest: str, rate: str = "3/h") -> throttle.Usage:
    return throttle.distinct_hit(group="uji.distinct", key=key, rate=rate, digest=digest)


def test_each_different_value_counts_once_and_the_same_value_is_free(backend: str) -> None:
    assert [_try("akun:1", d).limited for d in ("a", "b", "a", "c", "b", "c")] == [False] * 6
    refused = _try("akun:1", "d")
    assert refused.limited
    assert 1 <= refused.retry_after <= 3600
    assert _try("akun:1", "d").limited  # a refused value is not remembered as seen
    assert not _try("akun:1", "a").limited  # one seen before the limit still is
    assert not _try("akun:2", "d").limited  # another key has its own count


def test_hit_and_peek_of_the_group_see_the_distinct_count(backend: str) -> None:
    for digest in ("a", "b"):
        _try("petugas:7", digest)
    assert not throttle.peek(group="uji.distinct", key="petugas:7", rate="3/h").limited
    assert not throttle.hit(group="uji.distinct", key="petugas:7", rate="3/h").limited
    assert throttle.peek(group="uji.distinct", key="petugas:7", rate="3/h").limited
    assert _try("petugas:7", "c").limited


def test_with_redis_the_marker_and_counter_expire_with_the_window(backend: str) -> None:
    if backend != "redis":
        pytest.skip("the keys' lifetimes are Redis's")
    _try("akun:9", "a", rate="5/m")
    redis: Any = caches["default"].client.get_client(write=True)  # type: ignore[attr-defined]
    markers = redis.keys("*rl-seen:*")
    assert len(markers) == 1
    assert 1 <= redis.ttl(markers[0]) <= 60
    counters = [key for key in redis.keys("*rl:*") if b"rl-seen" not in key]
    assert len(counters) == 1
    assert int(redis.get(counters[0])) == 1
    assert 1 <= redis.ttl(counters[0]) <= 60 + 10


def test_with_the_limits_switched_off_nothing_is_refused(backend: str, settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False
    assert not any(_try("akun:3", str(n), rate="1/h").limited for n in range(5))
