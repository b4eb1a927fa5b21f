from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Siapkan demo dalam satu proses: migrasi, data wilayah, data demo, berkas statis, "
        "lalu cetak akun demo. Idempoten; dipanggil oleh `make run`."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # One process instead of five: a second `make run` should start in a few seconds.
        call_command("migrate", interactive=False, verbosity=0)
        call_command("regions_load")
        call_command("registry_seed_load")
        call_command("demo_load")
        call_command("waves_demo_load")
        call_command("training_demo_courses")
        call_command("enrolment_demo_load")
        call_command("sisnaker_demo_load")
        call_command("payments_demo_load")
        call_command("fraud_demo_load")
        # Last of the loaders: a few thousand applicants in Gelombang 1, Disnaker lists and a
        # linkage run, so that the dashboard, the review queue and the wave have real figures.
        call_command("population_demo_load")
        # The dashboard reads only its daily counts: count the demo data in full once.
        call_command("reports_refresh", "--full")
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("demo_accounts_print")
