"""The installable phone app in a real browser (Debian's chromium at 390 × 844) against a real
server: installable, and a day of visits without a network synced once back online.

A persistent browser profile is used: Chromium reports an ordinary (incognito) context as not
installable. Screenshots of the app taken offline go to docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from tests.conftest import CHROMIUM_ARGS
from tests.personas import PASSWORD
from tests.server import Installation, installation

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

SEED = """
import datetime as dt
import django
django.setup()
from django.utils import timezone
from kanelbulle.accounts.models import User
from kanelbulle.customers import actions as c
from kanelbulle.meetings import actions as m
anna = User.objects.get(username="anna")
now = timezone.now()
lulea = c.customer_create(None, ref="c-lulea-1", name="Norrbotten Stål AB", country="SE", city="Luleå", owner=anna)
li = c.contact_create(None, lulea, ref="p-li", name="Li Wei", title="CEO", lawful_basis="legitimate_interest")
c.fact_add(None, li, kind="interest", text="Ice hockey: Luleå HF", learned=dt.date(2025, 3, 1))
m.request_open(None, lulea, contact=li, requested_at=now - dt.timedelta(days=21))
m.log_meeting(anna, lulea, start=now + dt.timedelta(days=1), contacts=[li], status="planned", notes="Spring steel")
umea = c.customer_create(None, ref="c-umea-1", name="Umeå Energi", country="SE", city="Umeå", owner=anna)
c.contact_create(None, umea, ref="p-erik", name="Erik Lind", title="Buyer", lawful_basis="legitimate_interest")
troll = c.customer_create(None, ref="c-troll-1", name="Trollhättan Verk", country="SE", city="Trollhättan",
                          owner=anna)
c.contact_create(None, troll, ref="p-sara", name="Sara Ek", lawful_basis="legitimate_interest")
"""

# What the server holds, read through the ORM in a process of its own.
STORED = """
import json
import django
django.setup()
from kanelbulle.customers.models import Fact
from kanelbulle.meetings.models import Meeting, MeetingRequest
print(json.dumps({
    "meetings": sorted([m.ref, m.customer.ref, m.notes] for m in Meeting.objects.filter(user__username="anna")
                       .exclude(status="planned")),
    "facts": sorted(f.text for f in Fact.objects.all()),
    "requests": [[r.status, r.honoured_by.ref if r.honoured_by else None] for r in MeetingRequest.objects.all()],
}))
"""

MOVE = """
import django
django.setup()
from kanelbulle.accounts.models import User
from kanelbulle.customers.models import Customer
Customer.objects.filter(ref="c-troll-1").update(owner=User.objects.get(username="olle"))
"""


def run_py(kb: Installation, code: str) -> str:
    env = kb.env | {"DJANGO_SETTINGS_MODULE": "kanelbulle.settings"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def prepare(kb: Installation) -> None:
    assert kb.cli("init").returncode == 0
    for username, name, team in (("anna", "Anna Berg", "north"), ("olle", "Olle Sund", "south")):
        made = kb.cli("user", "create", username, "--role", "seller", "--name", name, "--team", team,
                      "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        assert made.returncode == 0, made.stderr
    run_py(kb, SEED)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Installation]:
    with installation(tmp_path / "srv") as kb:
        prepare(kb)
        kb.start()
        yield kb


@pytest.fixture
def phone(playwright: Playwright, tmp_path: Path) -> Iterator[BrowserContext]:
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS,
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
    )  # fmt: skip
    yield context
    context.close()


def log_in(page: Page, base: str, language: str) -> None:
    page.goto(base + "/")
    page.click(f"button[lang={language}]")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/home/")


def installability(context: BrowserContext, page: Page) -> Any:
    cdp = context.new_cdp_session(page)
    return cdp.send("Page.getInstallabilityErrors")


def test_the_app_is_installable(served: Installation, phone: BrowserContext) -> None:
    page = phone.pages[0] if phone.pages else phone.new_page()
    log_in(page, served.base_url, "en")
    page.goto(served.base_url + "/field/")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    assert installability(phone, page) == {"installabilityErrors": []}
    manifest = json.loads(page.evaluate("fetch('/manifest.webmanifest').then(r => r.text())"))
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/field/"
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
