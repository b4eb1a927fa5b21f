from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def last_login_stamp(sender: Any, user: Any, **kwargs: Any) -> None:
    """Django's ``update_last_login`` without ``save()``: one UPDATE of the one column.

    ``last_login`` is left out of the account's history (``User.history``), so ``save()`` would
    only add a history row identical to the one before it, one per sign-in; the sign-in itself
    is recorded by axes's access log.
    """
    from django.db import connection
    from django.utils import timezone

    from prakerja.accounts.session_users import account_changed

    if getattr(user, "_last_login_stamped", False):
        # Written with the phone's verification in the same request (``adapters``).
        user._last_login_stamped = False
        return
    user.last_login = timezone.now()
    model = type(user)
    q = connection.ops.quote_name
    # One hand-written UPDATE (the ORM's ``.update()`` built its query on every sign-in).
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {q(model._meta.db_table)} SET {q('last_login')} = %s "  # noqa: S608
            f"WHERE {q(model._meta.pk.column)} = %s",
            [connection.ops.adapt_datetimefield_value(user.last_login), user.pk],
        )
    account_changed(user.pk)


class AccountsConfig(AppConfig):
    name = "prakerja.accounts"
    verbose_name = _("Akun")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # Same dispatch_uid as django.contrib.auth's: replaces its receiver, never runs beside.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(last_login_stamp, dispatch_uid="update_last_login")

        from prakerja.accounts.session_users import receivers_connect

        receivers_connect()
