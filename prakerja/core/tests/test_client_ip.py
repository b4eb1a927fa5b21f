"""The client's address behind a load balancer (core.throttle.client_ip): what per-address
limits and sign-in lockouts count."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from prakerja.core.throttle import client_address, client_ip

BALANCER = "10.0.0.10"


def _request(xff: str | None = None) -> Any:
    request = RequestFactory().get("/", REMOTE_ADDR=BALANCER)
    if xff is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = xff
    return request


@pytest.mark.parametrize(
    ("count", "xff", "seen"),
    [
        (0, "203.0.113.7", BALANCER),  # no proxy trusted: the header is anyone's words
        (1, None, BALANCER),  # a request that did not come through the balancer
        (1, "203.0.113.7", "203.0.113.7"),  # the balancer appended the phone's address
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # a spoofed entry on the left is ignored
        (2, "1.2.3.4, 203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two proxies
        (2, "203.0.113.7", BALANCER),  # too short for two proxies: not trusted
        (1, "1.2.3.4, not-an-address", BALANCER),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_address_the_nearest_trusted_proxy_saw(
    settings: Any, count: int, xff: str | None, seen: str
) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(xff)) == seen


def test_per_address_limits_and_lockouts_count_the_phone_not_the_balancer(
    settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    phones = {client_address(_request(f"198.51.100.{n}")) for n in range(1, 6)}
    assert phones == {f"198.51.100.{n}" for n in range(1, 6)}
