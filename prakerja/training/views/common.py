"""What the training pages share: how a refusal is shown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from prakerja.core.errors import ApplicationError

# Refusals a page shows with their Indonesian message; any other status is a bug: re-raised.
SHOWN = frozenset({400, 403, 404, 409, 413, 415, 422})


def shown(error: ApplicationError) -> ApplicationError:
    if error.status not in SHOWN:
        raise error
    return error


def refusal_page(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """A page that only says why it cannot be shown, with the refusal's status."""
    return render(
        request, "training/course_missing.html", {"error": shown(error)}, status=error.status
    )
