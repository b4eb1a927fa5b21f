from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WavesConfig(AppConfig):
    name = "prakerja.waves"
    verbose_name = _("Gelombang dan seleksi")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from prakerja.core.signals import selection_published
        from prakerja.waves.announcements import announce_on_publish
        from prakerja.waves.models import Wave
        from prakerja.waves.selectors import open_waves_cache

        post_save.connect(open_waves_cache.forget, sender=Wave, dispatch_uid="open-waves")
        post_delete.connect(open_waves_cache.forget, sender=Wave, dispatch_uid="open-waves")

        # Results are announced by SMS/email once a selection is published (issue 5, item 6).
        selection_published.connect(announce_on_publish, dispatch_uid="waves.announce_on_publish")
