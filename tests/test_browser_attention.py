"""The attention list acted on from a phone (issue 15), in Debian's chromium against a real server.

At 390 x 844 a seller plans a visit, snoozes an item with a reason and opens the meeting log from
another; her manager, also on a phone, sees the snooze with its reason and wakes it, and it is back
on the seller's list. The page never scrolls sideways. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.personas import PASSWORD
from tests.server import Installation, installation
from tests.test_browser_workspace import DESKTOP, PHONE, shot

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

# Three customers of Anna's who each asked for a meeting weeks ago: all three need her attention.
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
for i, (ref, name, city) in enumerate([("c-lulea-1", "Norrbotten Stål AB", "Luleå"),
                                       ("c-umea-1", "Umeå Energi", "Umeå"),
                                       ("c-kiruna-1", "Kiruna Gruv", "Kiruna")]):
    customer = c.customer_create(None, ref=ref, name=name, country="SE", city=city, owner=anna, potential="high")
    person = c.contact_create(None, customer, ref=f"p-{i}", name=f"Person {i}", lawful_basis="legitimate_interest")
    m.log_meeting(anna, customer, start=now - dt.timedelta(days=200 + 30 * i), modality="video")
    m.request_open(None, customer, contact=person, requested_at=now - dt.timedelta(days=40 + 10 * i))
"""


def prepare(kb: Installation) -> None:
    assert kb.cli("init").returncode == 0
    for username, role, name in (("anna", "seller", "Anna Berg"), ("maria", "manager", "Maria Lind")):
        made = kb.cli("user", "create", username, "--role", role, "--name", name, "--team", "north",
                      "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        assert made.returncode == 0, made.stderr
    env = kb.env | {"DJANGO_SETTINGS_MODULE": "kanelbulle.settings"}
    seeded = subprocess.run([sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    # The stored relationship state, as the daily job leaves it: the page reads it, not the book.
    refreshed = kb.cli("refresh")
    assert refreshed.returncode == 0, refreshed.stderr


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with installation(tmp_path_factory.mktemp("attention")) as kb:
        prepare(kb)
        yield kb.start()


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    expect(page.locator("h1")).to_contain_text("Hello")


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def item(page: Page, ref: str) -> object:
    return page.locator(f"#item-{ref}")


def test_a_seller_acts_on_her_list_and_her_manager_wakes_a_snooze_from_a_phone(base: str, browser: Browser) -> None:
    anna = browser.new_context(viewport=PHONE).new_page()
    log_in(anna, base, "anna")
    anna.locator("header .quick a[href='/attention/']").click()  # one tap from anywhere on a phone
    expect(anna.locator("h1")).to_have_text("Who needs your attention")
    for ref in ("c-lulea-1", "c-umea-1", "c-kiruna-1"):
        expect(anna.locator(f"#item-{ref}")).to_be_visible()
    assert fits_the_screen(anna)
    shot(anna, "phone-attention")

    # Plan a visit: one tap; the item says it is pinned.
    anna.locator("#item-c-lulea-1 button:has-text('Plan a visit')").click()
    pinned = "Norrbotten Stål AB is pinned: a required visit the next time you plan."
    expect(anna.locator("main")).to_contain_text(pinned)
    expect(anna.locator("#item-c-lulea-1 .att-pinned")).to_have_text("Pinned for the next plan")

    # Snooze with a reason: the item leaves her list.
    anna.locator("#item-c-umea-1 .att-snooze summary").click()
    anna.locator("#item-c-umea-1 input[name=reason]").fill("Their budget is decided in January")
    assert fits_the_screen(anna)
    shot(anna, "phone-attention-snooze", full=False)
    anna.locator("#item-c-umea-1 .att-snooze button[type=submit]").click()
    expect(anna.locator("main")).to_contain_text("Umeå Energi is snoozed until")
    expect(anna.locator("#item-c-umea-1")).to_have_count(0)

    # Log a meeting from an item: the log opens with that customer chosen.
    anna.locator("#item-c-kiruna-1 a:has-text('Log a meeting')").click()
    expect(anna.locator("main")).to_contain_text("Kiruna Gruv")
    assert "customer=c-kiruna-1" in anna.url

    # Her manager, on a phone too, sees the snooze with its reason and wakes it.
    maria = browser.new_context(viewport=PHONE).new_page()
    log_in(maria, base, "maria")
    maria.goto(base + "/attention/?seller=anna")
    snoozed = maria.locator("#item-c-umea-1 .att-snoozed")
    expect(snoozed).to_contain_text("by Anna Berg: Their budget is decided in January")
    assert fits_the_screen(maria)
    shot(maria, "phone-attention-manager")
    maria.locator("#item-c-umea-1 button:has-text('Wake now')").click()
    expect(maria.locator("main")).to_contain_text("Umeå Energi is back on the list.")
    expect(maria.locator("#item-c-umea-1 .att-snoozed")).to_have_count(0)

    anna.goto(base + "/attention/")
    expect(anna.locator("#item-c-umea-1")).to_be_visible()
    anna.set_viewport_size(DESKTOP)
    shot(anna, "desktop-attention")
    anna.context.close()
    maria.context.close()
