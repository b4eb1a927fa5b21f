"""allauth's rate limits of the sign-in by SMS code, in one Redis round trip per action.

``ACCOUNT_RATE_LIMITS`` gives an action up to three rates ("60/m/ip,3/10m/key,10/d/key").
allauth counts each in the cache under a lock of its own: four commands per rate (take the
lock, read the list of hits, write it back, free the lock), twelve for one code request. Here
one Lua script does it all in Redis, atomically: every rate's window is trimmed and counted,
and the hit is recorded in all of them, or in none when one is full.

The rates, their keys (per address, per key, per account) and their meaning are allauth's: a
sliding window of hits, a hit at ``now`` counting while ``now - duration`` is before it.
Each window is a sorted set of hit times, kept under allauth's key with ``:log`` added, so
allauth's own counters (its pickled lists) never meet it. The time is Redis's own, one
clock for every app host. Without Redis (the demo, the SQLite test run) this is allauth's
``consume`` itself, which also counts a refused hit in the windows it checked before the
full one.
"""

from __future__ import annotations

import os

from allauth.core import ratelimit
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import caches
from django.http import HttpRequest

from prakerja.core.throttle import lua_script, redis_client

_APP = "allauth.account"

# KEYS: one sorted set per rate. ARGV: the hit's unique member, then amount and duration
# (seconds) per key. 1 when allowed (and recorded everywhere), 0 when a window is full.
_CONSUME = """
local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - tonumber(ARGV[2 * i + 1]))
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 * i]) then
    return 0
  end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, math.ceil(tonumber(ARGV[2 * i + 1]) * 1000))
end
return 1
"""


def consume(request: HttpRequest, *, action: str, key: str | None = None) -> bool:
    """Count one hit of ``action`` against every rate allauth configures for it; False when
    one of them is used up (nothing is counted then)."""
    cache = caches["default"]
    redis = redis_client(cache)
    if redis is None:  # not django-redis
        return ratelimit.consume(request, action=action, key=key)
    rates = allauth_ratelimit.get_rates(app=_APP, action=action)
    if not rates:
        return True
    keys = [
        cache.make_key(
            allauth_ratelimit.get_cache_key(request, app=_APP, action=action, rate=rate, key=key)
            + ":log"
        )
        for rate in rates
    ]
    args: list[str | int | float] = [os.urandom(8).hex()]
    for rate in rates:
        args += [rate.amount, rate.duration]
    return bool(lua_script(redis, _CONSUME)(keys=keys, args=args, client=redis))
