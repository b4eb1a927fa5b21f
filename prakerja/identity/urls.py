from django.http import HttpRequest, HttpResponse
from django.urls import path

app_name = "identity"


def nik_check_page(request: HttpRequest) -> HttpResponse:  # replaced by the identity views
    return HttpResponse("")


urlpatterns = [path("cek-nik/", nik_check_page, name="nik_check_page")]
