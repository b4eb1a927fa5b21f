"""Accounts-only fixtures; the personas live in the root conftest."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

ACCOUNTS_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def accounts_templates_win() -> bool:
    """Whether our overrides of allauth's templates are found before allauth's own.

    The app-directories loader searches apps in INSTALLED_APPS order, so ``prakerja.accounts``
    has to be listed above ``allauth``.
    """
    apps = django_settings.INSTALLED_APPS
    return apps.index("prakerja.accounts") < apps.index("allauth")


@pytest.fixture
def allauth_overrides_active(settings: Any) -> None:
    """Puts our allauth overrides first, as the INSTALLED_APPS order should (see above).

    A no-op once the settings list the apps in that order.
    """
    if accounts_templates_win():
        return
    engine = deepcopy(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], ACCOUNTS_TEMPLATES]
    settings.TEMPLATES = [engine]
