from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "prakerja.registry"
    verbose_name = _("Pendaftaran")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from prakerja.registry import selectors
        from prakerja.registry.models import ConsentText, EligibilityRule, Programme, TestQuestion

        # What each process keeps of the programme (registry.selectors) is dropped at once
        # when it changes through this process; other processes follow within seconds.
        for model, cache in (
            (EligibilityRule, selectors.rules_cache),
            (Programme, selectors.programmes_cache),
            (ConsentText, selectors.consent_texts_cache),
            (TestQuestion, selectors.questions_cache),
        ):
            uid = f"process-cache-{model._meta.label_lower}"
            post_save.connect(cache.forget, sender=model, dispatch_uid=uid)
            post_delete.connect(cache.forget, sender=model, dispatch_uid=uid)
