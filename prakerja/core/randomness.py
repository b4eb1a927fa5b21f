"""Random strings and the CSRF token's mask, drawn in one system call (issue 17).

Django's ``get_random_string`` draws each character on its own (``secrets.choice``): one
``getrandom`` system call per character, 32 for a session key and 32 for the mask of the CSRF
token on every page with a form, about 550 calls per registration through the pages. The
strings here are as uniform and as unpredictable (the same ``secrets`` source): one number
below ``len(alphabet) ** length`` is drawn (``secrets.randbelow``, one call, sometimes two) and
written in that base, whose digits are then independent and uniform.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.functional import SimpleLazyObject


def random_string(length: int, alphabet: str) -> str:
    """``length`` characters of ``alphabet``, each uniform and independent of the others
    (``django.utils.crypto.get_random_string`` with one system call)."""
    base = len(alphabet)
    number = secrets.randbelow(base**length)
    chars = []
    for _ in range(length):
        number, digit = divmod(number, base)
        chars.append(alphabet[digit])
    return "".join(chars)


def csrf_token(request: HttpRequest) -> str:
    """``django.middleware.csrf.get_token`` drawn by ``random_string``: the request's CSRF
    secret under a fresh mask, so that the token on a page differs on every response
    (BREACH), the cookie renewed as Django does. The cipher is Django's
    (``_mask_cipher_secret``: each character of the secret shifted by the mask's, in
    ``CSRF_ALLOWED_CHARS``), which ``CsrfViewMiddleware`` undoes. A request without a secret
    yet gets a new one, drawn the same way, and its cookie (``_add_new_csrf_cookie``)."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        secret = request.META["CSRF_COOKIE"] = random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    chars = CSRF_ALLOWED_CHARS
    mask = random_string(CSRF_SECRET_LENGTH, chars)
    cipher = "".join(
        chars[(chars.index(x) + chars.index(y)) % len(chars)]
        for x, y in zip(secret, mask, strict=True)
    )
    return mask + cipher


def csrf(request: HttpRequest) -> dict[str, Any]:
    """Context processor in place of Django's built-in ``csrf`` one (settings list it after,
    so its ``csrf_token`` wins; Django's lazy one is then never evaluated)."""
    return {"csrf_token": SimpleLazyObject(lambda: csrf_token(request))}
