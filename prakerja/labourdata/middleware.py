"""Refuse a request body larger than an import upload before a byte of it is read.

Django reads a multipart body in full (to memory or a temporary file) as soon as anything
touches ``request.POST`` — the CSRF check does, before any view — so the service's own size
check came after a 200 MB upload had been received and spooled. The largest body this site
ever needs is one import file (``LABOURDATA_MAX_UPLOAD_BYTES``) plus the form's few fields, so
any request that announces more in its ``Content-Length`` gets 413 at once, with the API's JSON
error shape under ``/api/`` and a short Indonesian page elsewhere. Django's WSGI request never
reads past ``Content-Length`` (a body without one reads as empty), so the header is enough.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prakerja.labourdata.spreadsheet import max_upload_bytes

# The multipart envelope and the form's other fields (kind, source, sheet, tokens).
MULTIPART_ALLOWANCE = 64 * 1024


def body_limit() -> int:
    return max_upload_bytes() + MULTIPART_ALLOWANCE


class UploadSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > body_limit():
            return self._too_large(request, length)
        return self.get_response(request)

    def _too_large(self, request: HttpRequest, length: int) -> HttpResponse:
        message = str(
            format_lazy(
                _(
                    "Berkas terlalu besar ({size} MB); batasnya {limit} MB. Pecah data menjadi "
                    "beberapa berkas lalu unggah satu per satu."
                ),
                size=round(length / 1024 / 1024, 1),
                limit=round(max_upload_bytes() / 1024 / 1024, 1),
            )
        )
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"code": "request.too_large", "message": message, "field": None}, status=413
            )
        else:
            title = escape(str(_("Berkas terlalu besar")))
            response = HttpResponse(
                '<!doctype html><html lang="id"><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{title}</title><h1>{title}</h1>"
                f'<p role="alert">{escape(message)}</p>'
                f'<p><a href="/">{escape(str(_("Kembali ke beranda")))}</a></p>'
                "</html>",
                status=413,
            )
        return response
