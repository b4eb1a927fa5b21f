from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prakerja.assistance import selectors


@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.post_public_by_regency()
    return render(
        request,
        "assistance/post_list.html",
        {
            "groups": groups,
            "post_count": sum(len(posts) for _, posts in groups),
            "lines": selectors.call_centre_lines(),
        },
    )
