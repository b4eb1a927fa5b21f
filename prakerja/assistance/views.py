from django.http import HttpRequest, HttpResponse


def post_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
