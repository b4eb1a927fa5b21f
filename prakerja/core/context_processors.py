from __future__ import annotations

from django.http import HttpRequest

# Also on the 500 and 503 pages, which are rendered without context processors.
CALL_CENTRE_NUMBERS = ("031-8293097", "031-8280254")


def site(request: HttpRequest) -> dict[str, object]:
    return {"call_centre_numbers": CALL_CENTRE_NUMBERS}
