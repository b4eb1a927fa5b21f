from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "prakerja.assistance"
    verbose_name = _("Posko pendampingan")
