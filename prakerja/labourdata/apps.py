from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabourdataConfig(AppConfig):
    name = "prakerja.labourdata"
    verbose_name = _("Data Disnaker")
