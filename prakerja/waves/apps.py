from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WavesConfig(AppConfig):
    name = "prakerja.waves"
    verbose_name = _("Gelombang dan seleksi")

    def ready(self) -> None:
        from prakerja.core.signals import selection_published
        from prakerja.waves.announcements import announce_on_publish

        # Results are announced by SMS/email once a selection is published (issue 5, item 6).
        selection_published.connect(announce_on_publish, dispatch_uid="waves.announce_on_publish")
