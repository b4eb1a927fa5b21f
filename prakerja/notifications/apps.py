from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "prakerja.notifications"
    verbose_name = _("Notifikasi")

    def ready(self) -> None:
        from prakerja.notifications import checks  # noqa: F401 (registers the deploy check)
