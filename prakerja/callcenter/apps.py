from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallcenterConfig(AppConfig):
    name = "prakerja.callcenter"
    verbose_name = _("Call center")
