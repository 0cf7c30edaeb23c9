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
    switch = page.locator(f"button[lang={language}]:not([aria-current])")
    if switch.count():
        switch.click()
    page.fill("#id_username", "anna")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/home/")


# Waits (at most 30 s) until the outbox is empty; answers what is left in it.
WAIT_FOR_EMPTY_OUTBOX = """(async () => {
  for (let i = 0; i < 300; i++) {
    const left = await kbOutbox.items('anna');
    if (!left.length) return [];
    await new Promise(r => setTimeout(r, 100));
  }
  return (await kbOutbox.items('anna')).map(m => m.state);
})()"""


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

    # What the phone keeps for reading is there, and logging out clears it.
    page.wait_for_selector("#field[data-synced='1']")
    assert page.evaluate("kbOutbox.snapshot('anna').then(s => s.data.customers.length)") == 3
    assert page.evaluate("caches.has('kanelbulle-field')") is True

    # Background Sync: a meeting logged offline is sent by the service worker's "sync" event, with
    # no field page open to send it. Chromium holds a sync registered while DevTools emulates
    # offline for the worker's page, and fires it once no page of its scope is emulated offline
    # (leaving the field page ends that emulation) or the network is back: so nothing is stored
    # before the page is left, and whatever is stored after it, only the worker sent.
    phone.set_offline(True)
    log_meeting(page, "c-umea-1", "Sent by the worker", person="p-erik")
    assert json.loads(run_py(served, STORED))["meetings"] == []
    page.goto("about:blank")  # no field page open: only the worker can send now
    phone.set_offline(False)
    page.goto(served.base_url + "/home/")  # a page that reads the outbox but never sends it
    assert page.evaluate(WAIT_FOR_EMPTY_OUTBOX) == [], "the worker did not send the outbox"
    stored = json.loads(run_py(served, STORED))
    assert [notes for _, _, notes in stored["meetings"]] == ["Sent by the worker"]
    page.goto(served.base_url + "/field/")

    page.click("label.menu-button")  # on a phone, Log out is behind the menu
    with page.expect_response("**/logout/") as answer:
        page.click("form.logout button")
    assert answer.value.all_headers().get("clear-site-data") == '"cache"'
    page.wait_for_selector("#id_username")
    assert page.evaluate("kbOutbox.snapshot('anna')") is None
    assert page.evaluate("caches.has('kanelbulle-field')") is False


WORDS = {
    "en": {
        "waiting": "waiting to send",
        "refused": "refused by the server",
        "offline": "Offline",
        "as_of": "as of",
        "reason": "The server's reason: customer: there is no customer 'c-troll-1'",
    },
    "sv": {
        "waiting": "väntar på att skickas",
        "refused": "nekat av servern",
        "offline": "Offline",
        "as_of": "per",
        "reason": "Serverns skäl: customer: kund 'c-troll-1' finns inte",
    },
}


def log_meeting(page: Page, customer: str, notes: str, *, person: str | None = None, fact: str | None = None,
                honour: bool = False) -> None:  # fmt: skip
    page.select_option("#f-customer", customer)
    if person:
        page.check(f"#f-people input[value={person}]")
    if honour:
        page.select_option("#f-honours", index=1)
    page.fill("#f-notes", notes)
    if fact:
        page.select_option("#f-fact-kind", "pet")
        page.fill("#f-fact-text", fact)
    waiting = page.locator("#outbox-list li").count()
    page.click("#log-save")
    # The form is cleared once the meeting is on the phone: wait for it, or the next meeting's
    # choices would be cleared under the test's hands.
    expect(page.locator("#outbox-list li")).to_have_count(waiting + 1)


@pytest.mark.parametrize("language", ["en", "sv"])
def test_a_day_without_a_network_is_synced_once(served: Installation, phone: BrowserContext, language: str) -> None:
    words = WORDS[language]
    base = served.base_url
    page = phone.pages[0] if phone.pages else phone.new_page()
    log_in(page, base, language)
    page.goto(base + "/field/")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    page.wait_for_selector("#field[data-synced='1']")
    expect(page.locator("#visit-list")).to_contain_text("Norrbotten Stål AB")
    assert installability(phone, page) == {"installabilityErrors": []}

    # Meanwhile the Trollhättan customer moves to another team; the phone does not know yet.
    run_py(served, MOVE)

    phone.set_offline(True)
    page.goto(base + "/field/")  # open the app with no network
    page.wait_for_selector("#field[data-ready='1']")
    expect(page.locator("#field-status")).to_contain_text(words["offline"])
    expect(page.locator("#field-status")).to_contain_text(words["as_of"])
    page.click("#visit-list button[data-customer=c-lulea-1]")
    expect(page.locator("#brief-body")).to_contain_text("Ice hockey: Luleå HF")
    if language == "en":
        shot(page, "phone-offline-brief")

    log_meeting(page, "c-lulea-1", "Coffee in the car park", person="p-li", fact="Two schnauzers: Max and Moritz")
    log_meeting(page, "c-lulea-1", "The meeting Li asked for", person="p-li", honour=True)
    log_meeting(page, "c-umea-1", "Quick call on the train", person="p-erik")
    log_meeting(page, "c-troll-1", "Visit in the basement", person="p-sara")
    expect(page.locator("#outbox-list li")).to_have_count(4)

    page.reload()  # still offline: all four are still on the phone, waiting
    page.wait_for_selector("#field[data-ready='1']")
    expect(page.locator("#outbox-list li.waiting")).to_have_count(4)
    expect(page.locator("#outbox-list")).to_contain_text(words["waiting"])
    if language == "en":
        page.locator("#field-outbox").scroll_into_view_if_needed()
        shot(page, "phone-offline-waiting")
    assert json.loads(run_py(served, STORED))["meetings"] == []

    phone.set_offline(False)
    page.click("#field-send")
    expect(page.locator("#outbox-list li.waiting")).to_have_count(0, timeout=30_000)
    expect(page.locator("#outbox-list li.refused")).to_have_count(1)
    refused = page.locator("#outbox-list li.refused")
    expect(refused).to_contain_text("Trollhättan Verk")
    expect(refused).to_contain_text(words["refused"])
    expect(refused).to_contain_text(words["reason"])  # the server's words, in the reader's language
    if language == "en":
        refused.scroll_into_view_if_needed()
        shot(page, "phone-outbox-refused")

    stored = json.loads(run_py(served, STORED))
    assert sorted(notes for _, _, notes in stored["meetings"]) == [
        "Coffee in the car park", "Quick call on the train", "The meeting Li asked for",
    ]  # fmt: skip
    honoured_by = {ref for ref, _, notes in stored["meetings"] if notes == "The meeting Li asked for"}
    assert stored["requests"] == [["honoured", honoured_by.pop()]]
    assert "Two schnauzers: Max and Moritz" in stored["facts"]

    # Send again, and reopen the app: nothing is added.
    page.click("#field-send")
    page.goto(base + "/field/")
    page.wait_for_selector("#field[data-synced='1']")
    assert json.loads(run_py(served, STORED)) == stored
    # The refused one stays until the seller discards (or corrects) it.
    expect(page.locator("#outbox-list li.refused")).to_have_count(1)
    page.locator("#outbox-list li.refused button").nth(1).click()
    expect(page.locator("#outbox-list li")).to_have_count(0)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.mark.parametrize("language", ["en", "sv"])
def test_a_phone_has_one_compact_bar(served: Installation, phone: BrowserContext, language: str) -> None:
    base = served.base_url
    page = phone.pages[0] if phone.pages else phone.new_page()
    log_in(page, base, language)
    for start in ("/home/", "/customers/c-lulea-1/"):
        page.goto(base + start)
        bar = page.locator("header.top").bounding_box()
        assert bar is not None and bar["height"] <= 56, f"the bar is {bar} on {start}"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        expect(page.locator("header nav")).to_be_hidden()  # the rest is behind Menu
    if language == "en":
        shot(page, "phone-bar")
    # The log, today's visits and the attention list: one tap each from anywhere.
    links = page.locator("header .quick a")
    expect(links).to_have_count(3)
    for i, lands in enumerate(("/customers/log/", "/field/", "/attention/")):
        page.goto(base + "/customers/c-lulea-1/")
        page.locator("header .quick a").nth(i).click()
        page.wait_for_url(f"**{lands}*")
    page.click("label.menu-button")
    expect(page.locator("header nav")).to_be_visible()
    expect(page.locator("header nav")).to_contain_text("Logga ett möte" if language == "sv" else "Log a meeting")
