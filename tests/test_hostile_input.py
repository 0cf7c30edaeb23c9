"""Text fields holding HTML or script come out as text everywhere: in every page (escaped), in
the exchange export (as the same data), in the attention digest's HTML e-mail, in the .ics feed
(no line or property injection), in the gifts report, in the privacy export and in the map SVG."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import vobject
from django.urls import reverse
from django.utils import timezone

from kanelbulle.connectors.ical import feed
from kanelbulle.customers.models import Contact, Customer, Fact
from kanelbulle.exchange.exporter import export_document
from kanelbulle.gifts.models import Gift
from kanelbulle.insights.digest import build
from kanelbulle.insights.service import attention_for
from kanelbulle.maps import MapStop, route_map
from kanelbulle.meetings.models import Meeting
from tests.personas import Personas, logged_in
from tests.test_permission_matrix import PAGES, World, make_world, page_kwargs, url_patterns

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW = (SCRIPT, "<img src=x onerror")
INJECT = "Call back\r\nATTENDEE:mailto:evil@example.com\r\nX-EVIL:1"

NAMES = {
    "customer": f"Evil {SCRIPT} AB",
    "contact": f"{IMG} Li",
    "fact": f"Likes {SCRIPT} and {IMG}",
    "notes": f"Notes {SCRIPT} {IMG}",
    "gift": f"Buns {IMG}",
}


@pytest.fixture
def world(personas: Personas, settings: Any) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = make_world(personas)
    Customer.objects.filter(pk=w.book.lulea.pk).update(name=NAMES["customer"])
    Contact.objects.filter(pk=w.book.li.pk).update(name=NAMES["contact"], email="li@example.com")
    Fact.objects.filter(pk=w.fact.pk).update(text=NAMES["fact"])
    Meeting.objects.filter(pk=w.book.anna_meeting.pk).update(notes=NAMES["notes"], next_step=INJECT)
    Gift.objects.filter(pk=w.gift.pk).update(description=NAMES["gift"])
    for obj in (w.book.lulea, w.book.li, w.fact, w.book.anna_meeting, w.gift):
        obj.refresh_from_db()
    return w


def assert_escaped(where: str, text: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{where} shows {raw!r} unescaped"


def test_every_page_escapes_what_users_typed(world: World) -> None:
    """Every page a seller (or, for admin pages, the admin) may open, with the hostile book."""
    seller, admin = logged_in(world.people.seller), logged_in(world.people.admin)
    seen = 0
    shown: set[str] = set()
    for name, params in url_patterns():
        rules = PAGES.get(name, {})
        get = rules.get("GET", "").split()
        if len(get) != 6 or name.startswith("api:"):
            continue
        client = seller if get[1] == "200" else admin if get[4] == "200" else None
        if client is None:
            continue
        url = reverse(name, kwargs=page_kwargs(name, params, world))
        for query in ("", "?q=Evil", "?format=html"):
            response = client.get(url + query)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            assert_escaped(f"{url}{query}", html)
            shown.update(k for k, v in NAMES.items() if _html(v) in html)
            seen += 1
    assert seen >= 20
    assert shown == set(NAMES), f"the escaped text never appeared for {set(NAMES) - shown}"


def _html(text: str) -> str:
    from django.utils.html import escape

    return str(escape(text))


def test_the_customer_page_shows_each_field_escaped(world: World) -> None:
    html = logged_in(world.people.seller).get(f"/customers/{world.book.lulea.ref}/").content.decode()
    for key in ("customer", "contact", "fact", "notes", "gift"):
        assert _html(NAMES[key]) in html, key
    assert_escaped("the customer page", html)


def test_the_gifts_report_and_the_privacy_export_escape(world: World) -> None:
    report = logged_in(world.people.seller).get("/gifts/report/").content.decode()
    assert _html(NAMES["gift"]) in report
    assert_escaped("the gifts report", report)
    dossier = logged_in(world.people.admin).post(f"/privacy/contacts/{world.book.li.ref}/export/", {"format": "html"})
    html = dossier.content.decode()
    assert dossier.status_code == 200 and _html(NAMES["contact"]) in html and _html(NAMES["fact"]) in html
    assert_escaped("the privacy export", html)
    as_json = json.loads(
        logged_in(world.people.admin).post(f"/privacy/contacts/{world.book.li.ref}/export/", {"format": "json"}).content
    )
    assert json.dumps(NAMES["fact"], ensure_ascii=False) in json.dumps(as_json, ensure_ascii=False)


def test_the_exchange_export_keeps_the_text_as_data(world: World) -> None:
    doc = json.loads(json.dumps(export_document()))
    assert NAMES["customer"] in [c["name"] for c in doc["customers"]]
    li = next(c for c in doc["contacts"] if c["ref"] == world.book.li.ref)
    assert li["name"] == NAMES["contact"] and li["facts"][0]["text"] == NAMES["fact"]
    assert NAMES["notes"] in [m.get("notes") for m in doc["meetings"]]
    assert NAMES["gift"] in [g["description"] for g in doc["gifts"]]


def test_the_digest_email_escapes(world: World) -> None:
    anna = world.people.seller
    result = attention_for(anna, timezone.localdate())
    assert any(item.name == NAMES["customer"] for item in result.items), "the customer should need attention"
    message = build(anna, result, "en")
    html = str(message.alternatives[0][0])  # type: ignore[index]
    assert _html(NAMES["customer"]) in html
    assert_escaped("the digest e-mail", html)


def test_the_calendar_feed_cannot_be_injected(world: World) -> None:
    ics = feed(world.people.seller).decode()
    calendar = vobject.readOne(ics)
    events = [e for e in calendar.vevent_list if e.uid.value.startswith(world.book.anna_meeting.ref)]
    assert len(events) == 1
    event = events[0]
    assert event.summary.value.startswith(NAMES["customer"])
    assert INJECT.replace("\r\n", "\n") in event.description.value
    attendees = event.contents.get("attendee", [])
    assert [a.value for a in attendees] == ["mailto:li@example.com"]
    assert "x-evil" not in event.contents
    assert "\nX-EVIL" not in ics and "\nATTENDEE:mailto:evil" not in ics


def test_the_map_svg_escapes_labels() -> None:
    svg = route_map(
        [MapStop(59.33, 18.07, f"Home {SCRIPT}", "home"), MapStop(65.58, 22.15, NAMES["customer"], "visit", 1)],
        title=f"Route {IMG}",
        day_names={1: f"Mon {SCRIPT}"},
        tile_url="",
    )
    assert_escaped("the map", svg)
    root = ET.fromstring(svg)  # noqa: S314 (our own output) well-formed: nothing broke out of its element or attribute
    texts = " ".join(t for t in root.itertext())
    assert SCRIPT in texts  # shown as text, not as markup
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1] in {"script", "img", "foreignObject"}]
