from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WavesConfig(AppConfig):
    name = "prakerja.waves"
    verbose_name = _("Gelombang dan seleksi")
