"""Rate limits per account or per address, counted in the shared cache by django-ratelimit.

django-ratelimit gives fixed windows with an atomic counter (``cache.add`` then ``incr``: one
Redis command each, so two app hosts never both pass the last free slot). On top of it,
``distinct_hit`` counts *different values* only: typing the same NIK again after fixing a
birth date is not a new try, a sixth different NIK is. Values are counted by a digest the
caller gives (a blind index for a NIK), never by the value itself: the cache is no place for
personal data.

``RateLimited`` is the ``ApplicationError`` a caller raises on a refusal: 429 with a
``Retry-After`` (``config.api`` sets the header; HTML views show the message as a form error).
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.functional import Promise
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import get_usage
from redis import Redis
from redis.commands.core import Script

from prakerja.core.errors import ApplicationError

# The same cache as django-ratelimit's counters, so a marker and its counter live and expire
# together.
_CACHE = "default"


class RateLimited(ApplicationError):
    status = 429

    def __init__(
        self, code: str, message: str | Promise, *, retry_after: int, field: str | None = None
    ) -> None:
        super().__init__(code, message, field=field)
        self.retry_after = max(1, int(retry_after))


@dataclass(frozen=True)
class Usage:
    limited: bool
    retry_after: int  # seconds until the window ends


def _usage(*, group: str, key: str, rate: str, increment: bool) -> Usage:
    # django-ratelimit reads the request only to match the HTTP method (all methods here) and
    # to derive a key from it; our keys are computed by the caller, so no request is needed
    # and services without one (the officer console) can count too.
    usage = get_usage(
        None,  # type: ignore[arg-type]
        group=group,
        key=lambda _group, _request: key,
        rate=rate,
        increment=increment,
    )
    if usage is None:  # RATELIMIT_ENABLE = False
        return Usage(limited=False, retry_after=0)
    return Usage(limited=bool(usage["should_limit"]), retry_after=max(1, usage["time_left"]))


def hit(*, group: str, key: str, rate: str) -> Usage:
    """Count one event for ``key``; ``limited`` once the rate ("5/h") is exceeded."""
    return _usage(group=group, key=key, rate=rate, increment=True)


def peek(*, group: str, key: str, rate: str) -> Usage:
    """Whether ``key`` is already over the rate, without counting anything.

    ``limited`` here means "the limit is used up": the next ``hit`` would exceed it.
    """
    usage = get_usage(
        None,  # type: ignore[arg-type]
        group=group,
        key=lambda _group, _request: key,
        rate=rate,
        increment=False,
    )
    if usage is None:
        return Usage(limited=False, retry_after=0)
    return Usage(limited=usage["count"] >= usage["limit"], retry_after=max(1, usage["time_left"]))


# KEYS: django-ratelimit's counter, the value's marker. ARGV: the limit, the counter's
# lifetime and the marker's (seconds). Returns {1 when refused, else 0, the count}.
_DISTINCT_HIT = """
if not redis.call('SET', KEYS[2], 1, 'NX', 'EX', ARGV[3]) then
  return {0, 0}
end
local count = 1
if not redis.call('SET', KEYS[1], 1, 'NX', 'EX', ARGV[2]) then
  count = redis.call('INCR', KEYS[1])
end
if count > tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[2])
  return {1, count}
end
return {0, count}
"""
_scripts: dict[str, Script] = {}


def redis_client(cache: Any) -> Redis | None:
    """The Redis client behind a django-redis cache (for Lua scripts); None for any other
    cache (the demo's and the SQLite test run's local memory)."""
    client = getattr(cache, "client", None)
    if client is None or not hasattr(client, "get_client"):
        return None
    return client.get_client(write=True)  # type: ignore[no-any-return]


def lua_script(redis: Redis, source: str) -> Script:
    """``source`` as a script, hashed once per process; each call runs it on the client it is
    given (EVALSHA; the source is sent only when the server does not know it yet)."""
    found = _scripts.get(source)
    if found is None:
        found = _scripts[source] = redis.register_script(source)
    return found


def _ratelimit_cache() -> str:
    # django-ratelimit's cache (``RATELIMIT_USE_CACHE``): the marker lives beside its counter.
    return str(getattr(settings, "RATELIMIT_USE_CACHE", _CACHE))


def distinct_hit(*, group: str, key: str, rate: str, digest: str) -> Usage:
    """Count ``digest`` once per window for ``key``; a value seen in this window is free.

    A refused value is forgotten again, so asking for it a second time is refused too.

    With Redis (django-redis) this is one Lua script, one round trip, atomic: the marker set
    unless present, then django-ratelimit's counter for the window counted under its own key,
    so ``hit`` and ``peek`` of the same group see the same count. Without Redis (the demo,
    the SQLite test run) the same steps as separate cache commands.
    """
    cache = caches[_ratelimit_cache()]
    redis = redis_client(cache)
    marker = "rl-seen:" + hashlib.sha256(f"{group}|{key}|{digest}".encode()).hexdigest()
    if redis is not None and getattr(settings, "RATELIMIT_ENABLE", True):
        return _distinct_hit_redis(cache, redis, group=group, key=key, rate=rate, marker=marker)
    window = peek(group=group, key=key, rate=rate)
    # The marker expires with the counter's window: both start afresh together.
    if not cache.add(marker, 1, timeout=max(1, window.retry_after)):
        return Usage(limited=False, retry_after=window.retry_after)
    usage = hit(group=group, key=key, rate=rate)
    if usage.limited:
        cache.delete(marker)
    return usage


def _distinct_hit_redis(
    cache: Any, redis: Redis, *, group: str, key: str, rate: str, marker: str
) -> Usage:
    limit, period = ratelimit_core._split_rate(rate)
    # django-ratelimit's window and key for this group, rate and value (its ``get_usage``).
    window = ratelimit_core._get_window(key, period)
    counter = ratelimit_core._make_cache_key(group, window, rate, key, ratelimit_core.ALL)
    retry_after = max(1, window - int(time.time()))
    refused, _count = lua_script(redis, _DISTINCT_HIT)(
        keys=[cache.make_key(counter), cache.make_key(marker)],
        args=[limit, period + ratelimit_core.EXPIRATION_FUDGE, retry_after],
        client=redis,
    )
    return Usage(limited=bool(refused), retry_after=retry_after)


def client_address(request: HttpRequest) -> str:
    """The client's address as the sign-in lockout sees it (``client_ip``)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


def client_ip(request: HttpRequest) -> str:
    """The client's address behind ``TRUSTED_PROXY_COUNT`` proxies (env ``AXES_PROXY_COUNT``):
    the entry that many places from the right of ``X-Forwarded-For``, which the nearest
    trusted proxy appended, as allauth reads it (``ALLAUTH_TRUSTED_PROXY_COUNT``). Entries
    further left are whatever the client sent, so they are never trusted. With no proxy, or
    a header too short or not an address, ``REMOTE_ADDR``.

    axes' own fallback reads ``REMOTE_ADDR`` only unless django-ipware is installed (it is
    not): behind a load balancer every applicant would then share the balancer's address,
    and one per-address limit (NIKs tried, sign-in failures) would hold the whole province.
    Set as ``AXES_CLIENT_IP_CALLABLE``; ``client_address`` and axes both go through it.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        entries = [entry for entry in entries if entry]
        if len(entries) >= count:
            try:
                return str(ipaddress.ip_address(entries[-count]))
            except ValueError:
                pass
    return str(request.META.get("REMOTE_ADDR", ""))
