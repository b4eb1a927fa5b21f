"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler500
from config.urls import urlpatterns as site_urlpatterns


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection refused")


urlpatterns = [
    path("uji/rusak/", crash),
    path("uji/basis-data/", database_gone),
    path("api/v1/uji/basis-data/", database_gone),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
