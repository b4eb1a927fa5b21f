"""The SMS and email outbox page (``/kotak-keluar/``, URL names ``notifications:…``).

Here, not in ``notifications``: the page needs accounts' role check, and notifications, the
SMS transport that accounts sends its codes through, sits below accounts (docs/ARCHITECTURE.md,
Layers).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prakerja.accounts.decorators import role_required
from prakerja.accounts.models import Role
from prakerja.notifications.selectors import outbox_list_masked


# Superadmin only, and masked even then: the outbox holds applicants' live sign-in codes, and
# any staff role that could read one could sign in as the applicant (issue 11).
@role_required(Role.SUPERADMIN)
@never_cache
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/outbox.html", {"messages_sent": outbox_list_masked()})


# Included as ``include("prakerja.accounts.outbox")``: the namespace stays ``notifications``.
app_name = "notifications"

urlpatterns = [path("", outbox, name="outbox")]
