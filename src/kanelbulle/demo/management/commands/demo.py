"""`kanelbulle demo`: load the demo book of business, make its users able to log in, and serve it.

Loading is an upsert by ref (the exchange importer), and the generator gives the same refs on
every day, so loading twice on one day changes nothing and loading on a later day updates the
same records to that day's dates.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from kanelbulle.accounts.models import Role, User
from kanelbulle.core.command import InputError, KbCommand, RunError
from kanelbulle.demo.generator import MANAGER, SELLERS, TEAM, build_demo, summary

RATES_FILE = Path(__file__).resolve().parents[2] / "data" / "demo-rates.csv"
DEMO_USER = "demo"
DEMO_PASSWORD = "kanelbulle"  # noqa: S105 - printed to the user on purpose, for a local demo only


def parse_today(raw: str | None) -> dt.date:
    from kanelbulle.core.days import BadDay, default_today, parse_day

    try:
        return parse_day(raw, "--today") or default_today()
    except BadDay as exc:
        raise InputError(str(exc)) from None


def demo_password_hash(users: list[User]) -> str:
    """One hash of the demo password for every demo login.

    A stored hash that already verifies is reused, so a reload writes nothing and costs one
    password check instead of one per user (argon2 is slow on purpose).
    """
    tried: set[str] = set()
    for user in users:
        encoded = user.password
        if encoded in tried or not user.has_usable_password():
            continue
        tried.add(encoded)
        if check_password(DEMO_PASSWORD, encoded):
            return encoded
    return make_password(DEMO_PASSWORD)


def setup_logins() -> User:
    """The demo sellers and manager get the demo password; ``demo`` is created or reset as a manager."""
    team = list(User.objects.filter(username__in=(*SELLERS, MANAGER)).order_by("username"))
    demo = User.objects.filter(username=DEMO_USER).first() or User(username=DEMO_USER)
    encoded = demo_password_hash([demo, *team])
    for user in team:
        if user.password != encoded or not user.is_active:
            user.password = encoded
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
    wanted = {
        "name": "Demo",
        "role": Role.MANAGER,
        "team": TEAM,
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
        "home_city": "Stockholm",
        "home_country": "SE",
        "home_lat": 59.3294,
        "home_lon": 18.0687,
        "password": encoded,
    }
    changed = demo.pk is None
    for attr, value in wanted.items():
        if getattr(demo, attr) != value:
            setattr(demo, attr, value)
            changed = True
    if changed:
        demo.save()
    return demo


def database_label() -> str:
    """Where the demo went: the SQLite file in the data directory, or the PostgreSQL database."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return str(connection.settings_dict["NAME"])
    s = connection.settings_dict
    return f"PostgreSQL {s.get('HOST') or 'localhost'}:{s.get('PORT') or 5432}/{s['NAME']}"


class Command(KbCommand):
    help = (
        "Load the demo book of business (idempotent), create the local user `demo` (password "
        "`kanelbulle`, for local use only) and serve it unless --no-serve."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--no-serve", action="store_true", help="load the demo and stop; do not serve")
        parser.add_argument(
            "--no-worker", action="store_true", help="serve without starting the background worker beside it"
        )
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
        parser.add_argument(
            "--today",
            metavar="DATE",
            help="count the demo's dates back from this day (YYYY-MM-DD; default: today)",
        )

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        from kanelbulle.core.rates import RateFileError, import_ecb_file
        from kanelbulle.exchange.importer import ImportProblems, import_document

        today = parse_today(options.get("today"))
        port = options["port"]
        if not 0 < port < 65536:
            raise InputError(_("--port: %(port)s is not a port number (1-65535)") % {"port": port})
        doc = build_demo(today)
        self.say(_("loading demo for %(day)s: %(what)s") % {"day": today.isoformat(), "what": summary(doc)})
        try:
            with transaction.atomic():
                rates = import_ecb_file(RATES_FILE)
                report = import_document(doc, actor_label="demo")
                demo = setup_logins()
        except RateFileError as exc:
            raise RunError(_("the demo's exchange rates could not be loaded: %(why)s") % {"why": exc}) from None
        except ImportProblems as exc:
            lines = [p.line() for p in exc.problems[:20]]
            raise RunError(_("the demo document was refused (a bug in the demo):") + "\n" + "\n".join(lines)) from None
        self.say(
            _("  rates: %(n)s dated rates for %(codes)s, %(first)s to %(last)s (%(new)s new)")
            % {
                "n": rates.created + rates.updated + rates.unchanged,
                "codes": ", ".join(rates.currencies),
                "first": rates.first,
                "last": rates.last,
                "new": rates.created + rates.updated,
            }
        )
        for line in report.summary_lines():
            self.say(f"  {line}")
        from kanelbulle.insights.state import refresh

        refreshed = refresh(today)
        self.say(
            _("  relationship state: %(n)s customers as of %(day)s")
            % {"n": refreshed.customers, "day": today.isoformat()}
        )
        if not report.changed:
            self.say(_("  the demo was already loaded for this day: nothing changed"))
        host = options["host"]
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only to print a URL
        url = f"http://{shown_host}:{port}/"
        if options["no_serve"]:
            self.say(_("demo loaded into %(where)s; nothing is served") % {"where": database_label()})
            serve_line = "kanelbulle"
            if os.environ.get("KANELBULLE_DATA_DIR"):
                serve_line += f" --data-dir {os.environ['KANELBULLE_DATA_DIR']}"
            serve_line += " serve" + (f" --host {host}" if host != "127.0.0.1" else "")
            serve_line += f" --port {port}" if port != 8000 else ""
            self.say(_("to serve it: %(command)s, then open %(url)s") % {"command": serve_line, "url": url})
        else:
            self.say(_("demo ready: %(url)s") % {"url": url})
        self.say(
            _("log in as %(user)s with the password %(password)s (a manager who sees the whole team %(team)s)")
            % {"user": demo.username, "password": DEMO_PASSWORD, "team": TEAM}
        )
        self.say(
            _("the sellers %(sellers)s and the manager %(manager)s have the password %(password)s too")
            % {"sellers": ", ".join(SELLERS), "manager": MANAGER, "password": DEMO_PASSWORD}
        )
        self.say(_("warning: these passwords are for local use only; never expose the demo to a network"))
        if options["no_serve"]:
            return
        from kanelbulle.web.management.commands.serve import serve

        worker = None
        if not options["no_worker"]:
            # The background worker beside the server, so the quick start stays one command.
            worker = subprocess.Popen(
                [sys.executable, "-m", "kanelbulle.cli", "worker", "--workers", "1"], start_new_session=True
            )
            self.say(_("background worker started (process %(pid)s)") % {"pid": worker.pid})
        self.say(_("serving the demo on %(url)s (Ctrl+C stops)") % {"url": url})
        try:
            serve(host, port, int(os.environ.get("KANELBULLE_WORKERS", "1")))
        finally:
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
