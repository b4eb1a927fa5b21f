"""``registration_url``: ``reverse(name, args=[reference, …])`` of a URL of one registration,
without resolving it each time.

A registration's pages link to its other pages (each step, check answers, status, receipt):
about thirty-five ``reverse`` calls per registration through the pages, each a walk of the
URL patterns (issue 17: with ``{% url %}`` itself, 3 % of the app's instructions). The URL of
a name and its other arguments differs between registrations only in the reference, so it is
reversed once per process (and script prefix and URL configuration) with a stand-in reference
in the reference's own format, and the stand-in is replaced. A reference not in that format
goes to ``reverse`` as it is (which refuses it as before).
"""

from __future__ import annotations

import functools
import re

from django.urls import get_script_prefix, get_urlconf, reverse

from prakerja.registry.references import URL_PATTERN

_REFERENCE = re.compile(URL_PATTERN)
# A well-formed reference (the converters accept it) standing in for the real one.
_STAND_IN = "PJ-2222-2222"


@functools.lru_cache(maxsize=256)
def _pattern(prefix: str, urlconf: str | None, name: str, rest: tuple[str, ...]) -> str:
    return reverse(name, urlconf=urlconf, args=[_STAND_IN, *rest])


def registration_url(name: str, reference: str, *rest: object) -> str:
    """``reverse(name, args=[reference, *rest])``."""
    reference = str(reference)
    if not _REFERENCE.fullmatch(reference):
        return reverse(name, args=[reference, *rest])
    pattern = _pattern(get_script_prefix(), get_urlconf(), name, tuple(str(r) for r in rest))
    return pattern.replace(_STAND_IN, reference, 1)
