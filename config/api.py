"""The HTTP API (django-ninja). OpenAPI document at /api/v1/openapi.json.

Errors are translated here, in one place: an ``ApplicationError`` from any service becomes
``{"code", "message", "field"}`` with its HTTP status; a body or parameter that fails schema
validation becomes 422 with the same shape, so clients handle one error format.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from pydantic_core import ValidationError as ResponseValidationError

from prakerja.assistance.api import router as assistance_router
from prakerja.assistance.console.api import router as console_router
from prakerja.callcenter.api import router as callcenter_router
from prakerja.core.errors import ApplicationError
from prakerja.core.request_errors import request_errors
from prakerja.core.views import database_reachable, database_unavailable_response
from prakerja.enrolment.api import router as enrolment_router
from prakerja.enrolment.api_completion import router as training_router
from prakerja.identity.api import router as identity_router
from prakerja.labourdata.api import router as labourdata_router
from prakerja.linkage.api import router as linkage_router
from prakerja.payments.api import router as payments_router
from prakerja.regions.api import router as regions_router
from prakerja.registry.api import router as registry_router
from prakerja.training.api_courses import router as courses_router
from prakerja.training.api_providers import router as providers_router
from prakerja.waves.api import router as waves_router

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message", "field"],
    "properties": {
        "code": {"type": "string", "description": "Kode galat yang stabil, mis. nik.length"},
        "message": {"type": "string", "description": "Pesan dalam bahasa Indonesia"},
        "field": {"type": ["string", "null"]},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}


class PrakerjaAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Every operation that takes input can answer 422 (see validation_error below); the
        # document says so, so clients and the schemathesis run know the shape.
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if operation.get("parameters") or operation.get("requestBody"):
                    operation.setdefault("responses", {}).setdefault(
                        422,
                        {
                            "description": "Isian tidak valid",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    )
        return schema


api = PrakerjaAPI(
    title="Prakerja Jatim API",
    version="1",
    description="Pendaftaran, pendampingan, dan seleksi Kartu Prakerja Jawa Timur.",
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        # A rate limit (prakerja.core.throttle.RateLimited): when to try again, in seconds.
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # Each of pydantic's errors in the API's own shape and in Indonesian (core.request_errors);
    # the top-level field is the first one's.
    errors = request_errors(exc.errors)
    return api.create_response(
        request,
        {
            "code": "request.invalid",
            "message": _("Permintaan tidak valid: periksa kembali isian yang dikirim."),
            "field": errors[0]["field"] if errors else None,
            "errors": errors,
        },
        status=422,
    )


@api.exception_handler(ResponseValidationError)
def response_validation_error(request: HttpRequest, exc: ResponseValidationError) -> HttpResponse:
    # A lazy queryset is read while pydantic builds the response: a database that went away
    # then surfaces as a "get_attribute_error" with the OperationalError flattened into text.
    # That is an outage (503 + Retry-After, like core.views.server_error), not a bug.
    if any(error["type"] == "get_attribute_error" for error in exc.errors()) and (
        not database_reachable()
    ):
        return database_unavailable_response(request)
    raise exc


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "auth.required", "message": _("Silakan masuk terlebih dahulu."), "field": None},
        status=401,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises HttpError itself, e.g. 403 "CSRF check Failed" for session-authenticated
    # writes; it gets the same {"code", "message", "field"} shape as every other error.
    if exc.status_code == 403 and "CSRF" in str(exc):
        code = "request.csrf_failed"
        message = _(
            "Permintaan ditolak: token CSRF tidak ada atau tidak cocok. Muat ulang halaman."
        )
    elif exc.status_code == 400 and "parse" in str(exc).lower():
        code = "request.malformed_body"
        message = _("Isi permintaan tidak dapat dibaca: kirim JSON yang valid.")
    else:
        code, message = f"http.{exc.status_code}", str(exc)
    return api.create_response(
        request, {"code": code, "message": message, "field": None}, status=exc.status_code
    )


api.add_router("/", identity_router, tags=["identitas"])
api.add_router("/regions", regions_router, tags=["wilayah"])
api.add_router("/posts", assistance_router, tags=["posko"])
api.add_router("/registrations", registry_router, tags=["pendaftaran"])
api.add_router("/callcenter", callcenter_router, tags=["call center"])
api.add_router("/petugas", console_router, tags=["petugas"])
api.add_router("/labourdata", labourdata_router, tags=["data Disnaker"])
api.add_router("/linkage", linkage_router, tags=["pencocokan dan JPS"])
api.add_router("/waves", waves_router, tags=["gelombang dan seleksi"])
api.add_router("/courses", courses_router, tags=["katalog pelatihan"])
api.add_router("/providers", providers_router, tags=["lembaga pelatihan"])
api.add_router("/enrolment", enrolment_router, tags=["pelatihan saya"])
api.add_router("/payments", payments_router, tags=["pembayaran"])
api.add_router("/training", training_router, tags=["kelulusan dan sertifikat"])
