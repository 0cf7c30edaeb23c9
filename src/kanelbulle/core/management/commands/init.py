from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db import connection

from kanelbulle.core.command import KbCommand


class Command(KbCommand):
    help = "Create or migrate the database; running it again changes nothing."
    needs_database = False

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        from kanelbulle.gifts.models import GiftPolicy

        GiftPolicy.current()
        self.stdout.write(f"database ready ({connection.vendor}: {connection.settings_dict['NAME']})")
