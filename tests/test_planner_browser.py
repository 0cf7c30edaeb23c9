"""The plan page in a real browser (Debian's chromium via Playwright) against a real server.

Anna, a seller in Stockholm with two big deals in Luleå, opens her plan: the page says it is
planning, htmx queues the solve (a worker runs beside the server) and follows it, and the map,
the days (with the trip north) and the totals appear. Screenshots at phone and desktop size go to
test-artifacts/, as does the brief.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.personas import PASSWORD
from tests.server import KANELBULLE, installation

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
START = "2026-11-30"
TODAY = "2026-11-27"  # the day the plan is valued as of (never the machine's clock)

SOLVER = """
import django
django.setup()
from kanelbulle.planner.models import VisitPlan
plan = VisitPlan.objects.latest("pk").plan
print(plan["solver"]["stopped_by"], plan["as_of"])
"""

SEED = """
import datetime as dt
from decimal import Decimal
import django
django.setup()
from kanelbulle.accounts.models import User
from kanelbulle.core.money import Money
from kanelbulle.customers import actions as c
from kanelbulle.deals import actions as d
anna = User.objects.get(username="anna")
anna.home_city, anna.home_country, anna.home_lat, anna.home_lon = "Stockholm", "SE", 59.3293, 18.0686
anna.save()
places = [("c-lulea-1", "Norrbotten Stål AB", "Luleå", "600000", 90),
          ("c-lulea-2", "Luleå Hamn", "Luleå", "500000", 90),
          ("c-upp-1", "Uppsala Kvarn", "Uppsala", "120000", 60),
          ("c-sod-1", "Södertälje Verk", "Södertälje", "90000", 60),
          ("c-vas-1", "Västerås Energi", "Västerås", "150000", 60)]
for ref, name, city, value, minutes in places:
    cust = c.customer_create(None, ref=ref, name=name, country="SE", city=city, owner=anna, visit_minutes=minutes)
    d.deal_create(None, cust, seller=anna, title="Line 3", value=Money(Decimal(value), "SEK"),
                  probability_pct=Decimal("50"))
li = c.contact_create(None, c.Customer.objects.get(ref="c-lulea-1"), ref="p-li", name="Li Wei", title="CEO",
                      lawful_basis="consent")
c.fact_add(None, li, kind="pet", text="Two schnauzers, Max and Moritz", learned=dt.date(2026, 5, 2))
print("ok")
"""


def shot(page: Page, name: str, *, full: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    with installation(tmp_path_factory.mktemp("planner")) as kb:
        assert kb.cli("init").returncode == 0
        made = kb.cli("user", "create", "anna", "--role", "seller", "--name", "Anna Berg", "--team", "north",
                      "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        assert made.returncode == 0, made.stderr
        env = kb.env | {"DJANGO_SETTINGS_MODULE": "kanelbulle.settings"}
        seeded = subprocess.run([sys.executable, "-c", SEED], env=env, capture_output=True, text=True, timeout=120)
        assert seeded.returncode == 0, seeded.stderr
        # The page's solve is a job on the queue: a worker runs beside the server, as in the demo.
        log = (kb.data_dir / "worker.log").open("ab")
        worker = subprocess.Popen(
            [KANELBULLE, "worker", "--workers", "1"],
            env=kb.env | {"KANELBULLE_JOB_POLL": "0.5"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield kb.start(), env
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()


def test_the_plan_page_at_phone_and_desktop_size(served: tuple[str, dict[str, str]], page: Page) -> None:
    base, env = served
    page.set_viewport_size(PHONE)
    page.goto(base + "/")
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.goto(f"{base}/plan/?start={START}&days=5&today={TODAY}")
    # htmx queues the solve on load and follows the job; the map, the days and the totals come back.
    expect(page.locator("#plan-area svg").first).to_be_visible(timeout=60_000)
    # The plan the page shows stopped on its iteration budget (not on a busy machine's clock) and
    # is valued as of the page's day: what follows does not depend on the machine.
    kept = subprocess.run([sys.executable, "-c", SOLVER], env=env, capture_output=True, text=True, timeout=120)
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.split() == ["iterations", TODAY]
    expect(page.locator("ol.days")).to_contain_text("Norrbotten Stål AB")
    expect(page.locator("ol.days")).to_contain_text("hotel night")
    expect(page.locator("dl.totals")).to_contain_text("Value covered")
    assert page.url.endswith("/") and "/plan/" in page.url
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width} px)"
    shot(page, "phone-plan")
    page.set_viewport_size(DESKTOP)
    page.reload()
    expect(page.locator("#plan-area svg").first).to_be_visible()
    shot(page, "desktop-plan")
    page.click("button[lang=sv]")
    expect(page.locator("dl.totals")).to_contain_text("Värde som täcks")
    expect(page.locator("ol.days")).to_contain_text("hotellnatt")
    page.click("button[lang=en]")
    expect(page.locator("dl.totals")).to_contain_text("Value covered")  # back in English before going on

    page.locator("a.name:has-text('Norrbotten Stål AB')").first.click()
    # The server's first brief fits the in-person uplift (the solve that used to warm it runs in the worker).
    expect(page.locator("h1")).to_have_text("Norrbotten Stål AB", timeout=60_000)
    expect(page.locator(".openers")).to_contain_text("Two schnauzers, Max and Moritz")
    shot(page, "desktop-brief")
    page.set_viewport_size(PHONE)
    shot(page, "phone-brief")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
