from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FraudConfig(AppConfig):
    name = "prakerja.fraud"
    verbose_name = _("Sinyal kecurangan dan kesalahan")
