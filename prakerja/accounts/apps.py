from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "prakerja.accounts"
    verbose_name = _("Akun")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from prakerja.accounts.backends import user_cache_forget
        from prakerja.accounts.models import User

        post_save.connect(user_cache_forget, sender=User, dispatch_uid="accounts-user-cache")
        post_delete.connect(user_cache_forget, sender=User, dispatch_uid="accounts-user-cache")
