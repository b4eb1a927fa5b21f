"""The HTTP API (django-ninja). OpenAPI document at /api/v1/openapi.json.

Errors are translated here, in one place: an ``ApplicationError`` from any service becomes
``{"code", "message", "field"}`` with its HTTP status; a body or parameter that fails schema
validation becomes 422 with the same shape, so clients handle one error format.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from prakerja.assistance.api import router as assistance_router
from prakerja.core.errors import ApplicationError
from prakerja.identity.api import router as identity_router
from prakerja.regions.api import router as regions_router

api = NinjaAPI(
    title="Prakerja Jatim API",
    version="1",
    description="Pendaftaran, pendampingan, dan seleksi Kartu Prakerja Jawa Timur.",
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", []) if part not in {"body", "query", "path"}]
    return api.create_response(
        request,
        {
            "code": "request.invalid",
            "message": "Permintaan tidak valid: periksa kembali isian yang dikirim.",
            "field": ".".join(location) or None,
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "auth.required", "message": "Silakan masuk terlebih dahulu.", "field": None},
        status=401,
    )


api.add_router("/", identity_router, tags=["identitas"])
api.add_router("/regions", regions_router, tags=["wilayah"])
api.add_router("/posts", assistance_router, tags=["posko"])
