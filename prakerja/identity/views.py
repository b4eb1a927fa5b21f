"""The public "Cek NIK" page: checks as the user types (htmx) and works without JavaScript.

One template serves both the page and the fragment htmx swaps in (a template partial), so the
result looks the same whichever way it was rendered. The NIK only ever travels in a POST body:
a URL with a NIK would land in proxy and load-balancer logs (issue 11).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from prakerja.identity.forms import NikCheckForm
from prakerja.identity.nik import FEMALE, MALE
from prakerja.identity.selectors import region_names_get

TEMPLATE = "identity/nik_check.html"
GENDER_LABELS = {MALE: _("Laki-laki"), FEMALE: _("Perempuan")}


def _checked_form(data: QueryDict | None) -> NikCheckForm:
    form = NikCheckForm(data)
    if data is not None:
        form.is_valid()
    return form


def _context(form: NikCheckForm) -> dict[str, Any]:
    result = form.result
    regions = None
    if result is not None and result.ok:
        regions = region_names_get(
            province_code=result.province_code,
            regency_code=result.regency_code,
            district_code=result.district_code,
        )
    return {
        "form": form,
        "result": result,
        "regions": regions,
        "gender_label": GENDER_LABELS.get(result.gender or "") if result else None,
    }


# never_cache: the answer reads a birth date and gender out of a NIK; no shared cache keeps it.
@never_cache
@require_http_methods(["GET", "POST"])
def nik_check_page(request: HttpRequest) -> HttpResponse:
    # A GET shows the empty form even with ?nik=…: the query string is not read, so that no
    # link or bookmark carrying a NIK is ever answered as if it were a good idea.
    data: QueryDict | None = request.POST if request.method == "POST" else None
    return render(request, TEMPLATE, _context(_checked_form(data)))


@never_cache
@require_POST
def nik_check_fragment(request: HttpRequest) -> HttpResponse:
    # An emptied input gets an empty result, not a "required" error while the user is typing.
    data = request.POST if request.POST.get("nik", "").strip() else None
    return render(request, f"{TEMPLATE}#result", _context(_checked_form(data)))
