import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
# Every view module and the API's schemas are imported now, when the worker starts, rather than
# by the first request it serves (seconds of CPU while a surge is already queueing).
get_resolver().url_patterns  # noqa: B018
