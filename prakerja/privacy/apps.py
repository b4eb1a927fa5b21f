from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "prakerja.privacy"
    verbose_name = _("Hak atas data pribadi")
