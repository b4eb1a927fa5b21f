"""The applicant's own data: download it (JSON, PDF) and see who looked at it.

Reached from the applicant's status page; only the owner of the registration gets anything
(``registration_get_own``: any other account gets the 404 of an unknown reference).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prakerja.privacy.selectors import (
    access_entry_of,
    personal_data_accesses_of,
    registration_get_own,
)
from prakerja.privacy.services import FileFormat, PdfUnavailable, personal_data_export

PAGE_SIZE = 20


def _download(request: HttpRequest, reference: str, file_format: FileFormat) -> HttpResponse:
    registration = registration_get_own(actor=request.user, reference=reference)
    try:
        export = personal_data_export(
            actor=request.user, registration=registration, file_format=file_format
        )
    except PdfUnavailable:
        return render(
            request, "privacy/pdf_unavailable.html", {"registration": registration}, status=503
        )
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


# never_cache: full NIK and KK; no shared cache and no back button keeps a copy.
@never_cache
@login_required
@require_GET
def download_json(request: HttpRequest, reference: str) -> HttpResponse:
    return _download(request, reference, "json")


@never_cache
@login_required
@require_GET
def download_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    return _download(request, reference, "pdf")


@never_cache
@login_required
@require_GET
def access_list(request: HttpRequest, reference: str) -> HttpResponse:
    registration = registration_get_own(actor=request.user, reference=reference)
    page = Paginator(personal_data_accesses_of(registration=registration), PAGE_SIZE).get_page(
        request.GET.get("halaman")
    )
    entries = [access_entry_of(access, registration=registration) for access in page]
    return render(
        request,
        "privacy/accesses.html",
        {"registration": registration, "page": page, "entries": entries},
    )
