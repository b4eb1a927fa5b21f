from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "prakerja.training"
    verbose_name = _("Pelatihan")
