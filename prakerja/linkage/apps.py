from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "prakerja.linkage"
    verbose_name = _("Pencocokan data dan JPS")
