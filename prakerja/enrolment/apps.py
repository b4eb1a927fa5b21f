from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrolmentConfig(AppConfig):
    name = "prakerja.enrolment"
    verbose_name = _("Kepesertaan pelatihan")

    def ready(self) -> None:
        from prakerja.core.signals import selection_published
        from prakerja.enrolment.receivers import on_selection_published

        selection_published.connect(
            on_selection_published, dispatch_uid="enrolment.participants_on_selection"
        )
