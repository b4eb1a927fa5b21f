"""The site's URLs with the accounts app's own pages included, for tests that run before
``config/urls.py`` includes ``prakerja.accounts.urls`` (see ``test_phone_sign_in``)."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("accounts/", include("prakerja.accounts.urls")), *site_urlpatterns]
