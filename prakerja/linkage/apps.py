from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "prakerja.linkage"
    verbose_name = _("Pencocokan data dan JPS")

    def ready(self) -> None:
        from prakerja.core.signals import selection_published
        from prakerja.labourdata.signals import import_batch_finished
        from prakerja.linkage.receivers import on_import_batch_finished, on_selection_published

        selection_published.connect(
            on_selection_published, dispatch_uid="linkage.jps_cases_on_selection"
        )
        import_batch_finished.connect(
            on_import_batch_finished, dispatch_uid="linkage.jps_cases_on_import"
        )
