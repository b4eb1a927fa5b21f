from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "prakerja.registry"
    verbose_name = _("Pendaftaran")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from prakerja.registry.models import EligibilityRule
        from prakerja.registry.selectors import eligibility_rules_forget

        post_save.connect(eligibility_rules_forget, sender=EligibilityRule, dispatch_uid="rules")
        post_delete.connect(eligibility_rules_forget, sender=EligibilityRule, dispatch_uid="rules")
