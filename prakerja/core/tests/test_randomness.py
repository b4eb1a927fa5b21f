"""Random strings and the CSRF token's mask in one system call (``core.randomness``)."""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.urls import reverse

from prakerja.core.randomness import random_string
from prakerja.core.testing import calls_recorded

ALPHABET = string.ascii_letters + string.digits


def _system_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every read of the system's random source from now on (``secrets`` reads it through
    ``random._urandom``)."""
    return calls_recorded(monkeypatch, random, "_urandom")


def _system_calls_kept(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """As ``_system_calls``, with each read's top three bits cleared, so that every draw is
    kept at the first call (below ``62**32``; a real draw is kept 73 % of the time and the
    next call decides otherwise): the calls per string are then exactly counted, not
    bounded by chance. The bits left are still the system's random ones."""
    original = random._urandom  # type: ignore[attr-defined]
    calls: list[int] = []

    def kept(size: int) -> bytes:
        calls.append(size)
        drawn = original(size)
        return bytes([drawn[0] & 0x1F]) + drawn[1:]

    monkeypatch.setattr(random, "_urandom", kept)
    return calls


def _unmask(token: str) -> str:
    """The secret under a masked token: each character of the second half shifted back by
    the first half's (the cipher of django.middleware.csrf)."""
    chars = CSRF_ALLOWED_CHARS
    mask, cipher = token[:32], token[32:]
    return "".join(
        chars[(chars.index(c) - chars.index(m)) % len(chars)]
        for c, m in zip(cipher, mask, strict=True)
    )


def test_a_string_is_drawn_from_its_alphabet_in_one_or_two_system_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _system_calls(monkeypatch)
    drawn = [random_string(32, ALPHABET) for _ in range(100)]
    assert all(len(s) == 32 and set(s) <= set(ALPHABET) for s in drawn)
    assert len(set(drawn)) == 100
    # About 1.4 calls per string (a draw over 62**32 is kept 72 % of the time), against 32
    # for django.utils.crypto.get_random_string.
    assert 100 <= len(calls) <= 200


def test_every_position_is_uniform() -> None:
    # 30,000 strings of 6 over "abc": each position's counts near 10,000 (chi-square with 2
    # degrees of freedom under 20: a biased draw, such as a byte taken modulo 3, fails it).
    counts = [Counter[str]() for _ in range(6)]
    for _ in range(30_000):
        for position, char in enumerate(random_string(6, "abc")):
            counts[position][char] += 1
    for counted in counts:
        chi2 = sum((counted[c] - 10_000) ** 2 / 10_000 for c in "abc")
        assert chi2 < 20, counted


def _token(page: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', page)
    assert found is not None
    return found.group(1).decode()


@pytest.mark.django_db
def test_the_forms_token_is_masked_afresh_and_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(enforce_csrf_checks=True)
    page = reverse("account_request_login_code")
    calls = _system_calls_kept(monkeypatch)
    first = _token(client.get(page).content)  # no cookie yet: the secret is drawn too
    secret = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert len(calls) == 2  # the secret and the mask, one call each (Django's took 64)
    assert len(secret) == 32 and set(secret) <= set(CSRF_ALLOWED_CHARS)
    calls.clear()
    response = client.get(page)
    second = _token(response.content)
    # A fresh mask, in one call (Django's took 32), over the same secret, and the cookie
    # renewed as Django does.
    assert len(calls) == 1
    assert second != first
    assert _unmask(second) == _unmask(first) == secret
    assert set(second) <= set(CSRF_ALLOWED_CHARS)
    assert settings.CSRF_COOKIE_NAME in response.cookies
    # Django's middleware takes the token; a changed one is refused.
    sent: dict[str, Any] = {"phone": "", "csrfmiddlewaretoken": second}
    assert client.post(page, sent).status_code != 403
    tampered = second[:-1] + ("a" if second[-1] != "a" else "b")
    assert client.post(page, {**sent, "csrfmiddlewaretoken": tampered}).status_code == 403
