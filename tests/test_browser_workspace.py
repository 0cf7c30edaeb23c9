"""The workspace in a real browser (Debian's chromium via Playwright) against a real server.

A seller logs in, finds the customer in Luleå by typing "lulea", logs an in-person meeting with a
new fact at phone size within ten actions, sees it on the customer page, switches to Swedish, and
is refused another seller's private note. Screenshots of the main pages at phone and desktop
size go to test-artifacts/.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.personas import PASSWORD
from tests.server import Installation, installation

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
BUDGET = 10

# Loaded through the same actions the pages call, as the operator.
SEED = """
import datetime as dt
from decimal import Decimal
import django
django.setup()
from django.utils import timezone
from kanelbulle.accounts.models import User
from kanelbulle.core.money import Money
from kanelbulle.customers import actions as c
from kanelbulle.deals import actions as d
from kanelbulle.meetings import actions as m
anna, bertil = User.objects.get(username="anna"), User.objects.get(username="bertil")
for u in (anna, bertil):
    u.team = "north"
    u.save()
now = timezone.now()
lulea = c.customer_create(None, ref="c-lulea-1", name="Norrbotten Stål AB", country="SE", city="Luleå",
                          owner=anna, potential="high")
li = c.contact_create(None, lulea, ref="p-li", name="Li Wei", title="CEO", lawful_basis="legitimate_interest")
c.contact_create(None, lulea, ref="p-karin", name="Karin Nilsson", title="Buyer", lawful_basis="consent")
c.fact_add(None, li, kind="interest", text="Ice hockey: Luleå HF", learned=dt.date(2025, 3, 1))
m.log_meeting(anna, lulea, start=now - dt.timedelta(days=50), modality="video", contacts=[li],
              notes="First call about rails", unsaid="Anna's own hunch")
m.request_open(None, lulea, contact=li, requested_at=now - dt.timedelta(days=21))
d.deal_create(None, lulea, seller=anna, title="Spring steel", value=Money(Decimal("1234.50"), "SEK"))
d.order_create(None, lulea, date=dt.date(2026, 1, 5), value=Money(Decimal("8000.00"), "EUR"))
for i, (name, city) in enumerate([("Umeå Energi", "Umeå"), ("Göteborgs Hamn", "Göteborg"), ("Kiruna Gruv", "Kiruna")]):
    other = c.customer_create(None, ref=f"c-{i}", name=name, country="SE", city=city, owner=anna)
    m.log_meeting(anna, other, start=now - dt.timedelta(days=5 + i * 9), modality=["in_person", "phone", "email"][i])
troll = c.customer_create(None, ref="c-troll-1", name="Trollhättan Verk", country="SE", city="Trollhättan",
                          owner=bertil)
meeting = m.log_meeting(bertil, troll, start=now - dt.timedelta(days=3), notes="Shared notes",
                        unsaid="Bertil's secret note")
print(meeting.ref)
"""


class Counter:
    """Counts the user's actions: a tap, or typing into one field."""

    def __init__(self, page: Page) -> None:
        self.page, self.n = page, 0

    def tap(self, locator: str) -> None:
        self.n += 1
        self.page.locator(locator).first.click()

    def type(self, locator: str, text: str) -> None:
        self.n += 1
        self.page.locator(locator).first.fill(text)

    def choose(self, locator: str, value: str) -> None:
        self.n += 1
        self.page.locator(locator).first.select_option(value)


def shot(page: Page, name: str, *, full: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def prepare(kb: Installation) -> str:
    assert kb.cli("init").returncode == 0
    for username, name in (("anna", "Anna Berg"), ("bertil", "Bertil Ek")):
        made = kb.cli("user", "create", username, "--role", "seller", "--name", name, "--team", "north",
                      "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        assert made.returncode == 0, made.stderr
    env = kb.env | {"DJANGO_SETTINGS_MODULE": "kanelbulle.settings"}
    seeded = subprocess.run([sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, seeded.stderr
    return seeded.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """One installation and server for this module: (base URL, ref of Bertil's meeting)."""
    with installation(tmp_path_factory.mktemp("workspace")) as kb:
        bertil_meeting = prepare(kb)
        yield kb.start(), bertil_meeting


def test_a_seller_logs_a_meeting_from_a_phone_within_the_budget(served: tuple[str, str], page: Page) -> None:
    base, bertil_meeting = served
    page.set_viewport_size(PHONE)
    page.goto(base + "/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    expect(page.locator("h1")).to_contain_text("Hello, Anna Berg")
    shot(page, "phone-home")

    # From the home page: the counted actions start here.
    act = Counter(page)
    act.tap("main a.button.primary:has-text('Log a meeting')")
    act.type("#id_q", "lulea")
    expect(page.locator("#suggest a.suggestion")).to_contain_text("Norrbotten Stål AB")
    act.tap("#suggest a.suggestion:has-text('Norrbotten')")
    expect(page.locator("input[name=modality][value=in_person]")).to_be_checked()
    act.tap("label.chip:has-text('Li Wei')")
    act.type("#id_notes", "Coffee and kanelbullar; the dogs started fighting and the ice broke.")
    act.choose("#id_fact_kind_1", "pet")
    act.type("#id_fact_text_1", "Two schnauzers: Max and Moritz")
    page.locator("#id_notes").scroll_into_view_if_needed()
    shot(page, "phone-log-meeting", full=False)
    act.tap("button:has-text('Save meeting')")
    assert act.n <= BUDGET, f"{act.n} actions, budget {BUDGET}"

    # The meeting and the new fact are on the customer page.
    expect(page.locator("h1")).to_have_text("Norrbotten Stål AB")
    expect(page.locator("ol.timeline")).to_contain_text("the ice broke")
    expect(page.locator("#p-li")).to_contain_text("Two schnauzers: Max and Moritz")
    expect(page.locator("ol.timeline li").first.locator(".m-in_person")).to_be_visible()
    shot(page, "phone-customer")

    # Desktop: the list found by an accent-free search, the customer page and home.
    page.set_viewport_size(DESKTOP)
    page.goto(base + "/customers/")
    page.fill("#id_q", "lulea")
    expect(page.locator("#results")).to_contain_text("1 customer")
    expect(page.locator("#results")).to_contain_text("Norrbotten Stål AB")
    shot(page, "desktop-customers")
    page.goto(base + "/customers/c-lulea-1/")
    shot(page, "desktop-customer")

    # Swedish labels after switching the language.
    page.click("button[lang=sv]")
    expect(page.locator("#h-people")).to_have_text("Personer")
    expect(page.locator("header nav")).to_contain_text("Logga ett möte")
    page.goto(base + "/customers/log/?customer=c-lulea-1")
    expect(page.locator("legend").first).to_have_text("Hur ni möttes")
    page.set_viewport_size(PHONE)
    shot(page, "phone-log-meeting-sv")
    page.click("button[lang=en]")

    # Another seller's private note: the meeting is readable, its unsaid is not; editing is refused.
    page.goto(base + f"/customers/c-troll-1/meetings/{bertil_meeting}/")
    expect(page.locator("main")).to_contain_text("Shared notes")
    expect(page.locator("main")).not_to_contain_text("Bertil's secret note")
    expect(page.locator("main")).to_contain_text("private to the seller who wrote it")
    refused = page.goto(base + f"/customers/c-troll-1/meetings/{bertil_meeting}/edit/")
    assert refused is not None and refused.status == 403
    assert "Bertil's secret note" not in page.content()


def test_the_meeting_log_works_with_javascript_off(served: tuple[str, str], browser: object) -> None:
    base = served[0]
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(base + "/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.click("main a.button.primary:has-text('Log a meeting')")
    page.fill("#id_q", "lulea")
    page.click("button:has-text('Find')")
    page.click("#suggest a.suggestion:has-text('Norrbotten')")
    page.click("label.chip:has-text('Karin Nilsson')")
    page.fill("#id_notes", "Logged without JavaScript")
    page.click("button:has-text('Save meeting')")
    expect(page.locator("ol.timeline")).to_contain_text("Logged without JavaScript")
    context.close()
