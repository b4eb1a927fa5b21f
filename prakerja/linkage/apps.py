from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "prakerja.linkage"
    verbose_name = _("Pencocokan data dan JPS")

    def ready(self) -> None:
        from django_tasks.signals import task_finished

        from prakerja.core.signals import selection_published
        from prakerja.linkage.receivers import on_selection_published, on_task_finished

        selection_published.connect(
            on_selection_published, dispatch_uid="linkage.jps_cases_on_selection"
        )
        # The JPS import hook: labourdata exposes none, so we follow its job's completion.
        task_finished.connect(on_task_finished, dispatch_uid="linkage.jps_cases_on_import")
