from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "prakerja.core"
    verbose_name = _("Inti")

    def ready(self) -> None:
        _history_manager_class_once()
        from django_tasks_db.compat import task_finished, task_started

        from prakerja.core.jobs import task_context_forget, task_context_remember

        # A job's lease records which queue row and worker run it (core.jobs).
        task_started.connect(task_context_remember, dispatch_uid="core.jobs.task_started")
        task_finished.connect(task_context_forget, dispatch_uid="core.jobs.task_finished")


def _history_manager_class_once() -> None:
    """Build each history manager class once, not on every ``instance.history``.

    django-simple-history 3.x's ``HistoryDescriptor.__get__`` calls
    ``HistoryManager.from_queryset(...)`` each time, which creates a class (and walks the
    queryset's members with ``inspect.getmembers``); every audited save reads it once. That
    was about 0.5 ms of CPU per registration submission (bench/README.md). Same manager class
    and arguments, built once per descriptor.
    """
    from simple_history.manager import HistoryDescriptor

    if getattr(HistoryDescriptor, "_prakerja_cached", False):
        return

    def __get__(self: HistoryDescriptor, instance: object, owner: type) -> object:
        manager_class = self.__dict__.get("_manager_class_built")
        if manager_class is None:
            manager_class = self.manager_class.from_queryset(self.queryset_class)
            self._manager_class_built = manager_class
        return manager_class(self.model, instance)

    HistoryDescriptor.__get__ = __get__  # type: ignore[method-assign]
    HistoryDescriptor._prakerja_cached = True  # type: ignore[attr-defined]
