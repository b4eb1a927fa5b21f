from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prakerja.accounts.decorators import staff_required
from prakerja.notifications.selectors import outbox_list


@staff_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/outbox.html", {"messages_sent": outbox_list()})
