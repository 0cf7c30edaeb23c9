"""The seller's workspace pages: who sees what (404 / 403 / login), search, the customer page,
the home page by role, and the admin's user list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kanelbulle.accounts.models import User
from tests.personas import PASSWORD, Personas, logged_in
from tests.test_workspace_book import ANNA_UNSAID, BERTIL_UNSAID, Book, make_book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """Argon2 costs about a second per persona on this machine; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def book(personas: Personas) -> Book:
    return make_book(personas)


def page(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def customer_urls(b: Book) -> list[str]:
    c = b.lulea.ref
    return [
        f"/customers/{c}/",
        f"/customers/{c}/edit/",
        f"/customers/{c}/delete/",
        f"/customers/{c}/contacts/new/",
        f"/customers/{c}/contacts/{b.li.ref}/edit/",
        f"/customers/{c}/contacts/{b.li.ref}/delete/",
        f"/customers/{c}/contacts/{b.li.ref}/facts/",
        f"/customers/{c}/meetings/{b.anna_meeting.ref}/",
        f"/customers/{c}/meetings/{b.anna_meeting.ref}/edit/",
        f"/customers/{c}/meetings/{b.anna_meeting.ref}/delete/",
        f"/customers/{c}/requests/new/",
        f"/customers/{c}/deals/new/",
        f"/customers/{c}/deals/{b.deal.ref}/edit/",
        f"/customers/{c}/deals/{b.deal.ref}/delete/",
        f"/customers/{c}/orders/new/",
        f"/customers/{c}/orders/{b.order.ref}/edit/",
        f"/customers/{c}/orders/{b.order.ref}/delete/",
        f"/customers/log/?customer={c}",
    ]


def test_anonymous_visitors_are_sent_to_log_in_everywhere(client: Client, book: Book) -> None:
    for url in [
        "/customers/",
        "/customers/new/",
        "/customers/log/",
        "/customers/deals/",
        "/users/",
        *customer_urls(book),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/?next="), url


def test_the_owner_opens_every_page_of_her_customer(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    for url in customer_urls(book):
        assert anna.get(url).status_code == 200, url


def test_another_team_gets_404_for_every_page_and_action(personas: Personas, book: Book) -> None:
    olle = logged_in(personas.outsider)
    for url in customer_urls(book):
        assert olle.get(url).status_code == 404, url
        if "?" not in url:
            assert olle.post(url, {"name": "x", "text": "x", "stage": "won"}).status_code in {404, 405}, url
    c = book.lulea.ref
    assert olle.post(f"/customers/{c}/deals/{book.deal.ref}/stage/", {"stage": "won"}).status_code == 404
    assert olle.post(f"/customers/{c}/requests/{book.request.ref}/decline/").status_code == 404
    assert (
        olle.post(
            "/customers/log/",
            {"customer": c, "start": "2026-01-01T10:00", "modality": "in_person", "duration_minutes": "60"},
        ).status_code
        == 404
    )
    assert "Norrbotten" not in page(olle, "/customers/")
    assert "Norrbotten" not in page(olle, "/customers/suggest/", q="lulea")
    book.deal.refresh_from_db()
    assert book.deal.stage == "open"


def test_a_team_mate_reads_but_may_not_change_403(personas: Personas, book: Book) -> None:
    bertil = logged_in(personas.other_seller)
    c = book.lulea.ref
    text = page(bertil, f"/customers/{c}/")
    assert "Norrbotten Stål AB" in text and "Two schnauzers" in text
    assert "Edit customer" not in text
    for url in customer_urls(book)[1:7] + customer_urls(book)[8:17]:
        assert bertil.get(url).status_code == 403, url
    assert bertil.post(f"/customers/{c}/edit/", {"name": "Hijacked"}).status_code == 403
    assert bertil.post(f"/customers/{c}/contacts/{book.li.ref}/facts/", {"kind": "pet", "text": "x"}).status_code == 403
    assert bertil.post(f"/customers/{c}/deals/{book.deal.ref}/stage/", {"stage": "won"}).status_code == 403
    assert bertil.post(f"/customers/{c}/requests/{book.request.ref}/decline/").status_code == 403
    book.lulea.refresh_from_db()
    assert book.lulea.name == "Norrbotten Stål AB"


def test_the_unsaid_is_its_authors_alone(personas: Personas, book: Book) -> None:
    c, m = book.lulea.ref, book.anna_meeting.ref
    anna = logged_in(personas.seller)
    assert ANNA_UNSAID in page(anna, f"/customers/{c}/")
    assert ANNA_UNSAID in page(anna, f"/customers/{c}/meetings/{m}/")
    assert ANNA_UNSAID in page(anna, f"/customers/{c}/meetings/{m}/edit/")
    for user in (personas.other_seller, personas.manager, personas.admin):
        viewer = logged_in(user)
        assert ANNA_UNSAID not in page(viewer, f"/customers/{c}/"), user
        shown = page(viewer, f"/customers/{c}/meetings/{m}/")
        assert ANNA_UNSAID not in shown and "Talked about the spring order" in shown, user
    # The manager may edit the meeting, but the form has no unsaid to read or overwrite.
    manager = logged_in(personas.manager)
    edit = page(manager, f"/customers/{c}/meetings/{m}/edit/")
    assert ANNA_UNSAID not in edit and 'name="unsaid"' not in edit
    assert BERTIL_UNSAID not in page(logged_in(personas.seller), f"/customers/{book.troll.ref}/")


def test_search_folds_accents_and_case_across_name_city_people_and_facts(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    for query in ["lulea", "LULEÅ", "norrbotten stal", "li wei", "schnauzer", "moritz"]:
        text = page(anna, "/customers/", q=query)
        assert "Norrbotten Stål AB" in text, query
        assert "Trollhättan Verk" not in text, query
    assert "Trollhättan Verk" in page(anna, "/customers/", q="trollhattan")
    assert "No customer matches" in page(anna, "/customers/", q="zzz")
    suggestions = page(anna, "/customers/suggest/", q="lulea", **{"for": "log"})
    assert f"/customers/log/?customer={book.lulea.ref}" in suggestions


def test_filters_and_sorting(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    text = page(anna, "/customers/", potential="high")
    assert "Norrbotten" in text and "Trollhättan Verk" not in text
    # Luleå was last met in person 40 days ago; Trollhättan only by video: both unmet for 30 days.
    text = page(anna, "/customers/", not_met_days="30")
    assert "Norrbotten" in text and "Trollhättan Verk" in text
    text = page(anna, "/customers/", not_met_days="60")
    assert "Norrbotten" not in text and "Trollhättan Verk" in text


def test_the_customer_list_counts_days_not_met_from_its_today(personas: Personas, book: Book) -> None:
    """As of a day named by `today` (like every page that counts days), not as of the clock."""
    anna = logged_in(personas.seller)
    day_of_meeting = timezone.localtime(book.anna_meeting.start).date()  # Luleå's only meeting, in person
    # Seen as of 30 days after the meeting: unmet for 20 days, not for 60.
    later = (day_of_meeting + dt.timedelta(days=30)).isoformat()
    assert "Norrbotten" in page(anna, "/customers/", not_met_days="20", today=later)
    assert "Norrbotten" not in page(anna, "/customers/", not_met_days="60", today=later)
    # Seen as of 90 days after it: unmet for 60 days too.
    much_later = (day_of_meeting + dt.timedelta(days=90)).isoformat()
    assert "Norrbotten" in page(anna, "/customers/", not_met_days="60", today=much_later)
    # Seen as of the day before the meeting: the meeting had not happened, so never met in person.
    before = (day_of_meeting - dt.timedelta(days=1)).isoformat()
    assert "Norrbotten" in page(anna, "/customers/", not_met_days="3000", today=before)
    assert anna.get("/customers/", {"today": "2026-13-01"}).status_code == 400
    text = page(anna, "/customers/", owner=str(personas.other_seller.pk))
    assert "Norrbotten" not in text and "Trollhättan Verk" in text
    text = page(anna, "/customers/", sort="-name")
    assert text.index("Trollhättan Verk") < text.index("Norrbotten")
    text = page(anna, "/customers/", sort="last_met")
    assert text.index("Trollhättan Verk") < text.index("Norrbotten")  # never met in person comes first
    manager = page(logged_in(personas.manager), "/customers/")
    assert "Norrbotten" in manager and "Malmö Mek" not in manager
    assert "Malmö Mek" in page(logged_in(personas.admin), "/customers/", public_sector="yes")


def test_the_list_is_paginated(personas: Personas, book: Book) -> None:
    from kanelbulle.customers import actions

    for i in range(30):
        actions.customer_create(
            None,
            name=f"Kund {i:02}",
            country="SE",
            city="Umeå",
            lat=63.8,
            lon=20.3,
            time_zone="Europe/Stockholm",
            owner=personas.seller,
        )
    anna = logged_in(personas.seller)
    first = page(anna, "/customers/")
    assert "Page 1 of 2" in first and "32 customers" in first
    second = page(anna, "/customers/", page="2")
    assert "Trollhättan Verk" in second and "Trollhättan Verk" not in first


def test_the_customer_page_shows_people_facts_timeline_deals_orders_and_requests(
    personas: Personas, book: Book
) -> None:
    text = page(logged_in(personas.seller), f"/customers/{book.lulea.ref}/")
    for expected in [
        "Li Wei",
        "Two schnauzers: Max and Moritz",
        "Talked about the spring order",
        "Spring steel",
        "Open meeting requests",
        "m-in_person",
        "Log the meeting",
        "The gift register",
    ]:
        assert expected in text, expected
    assert "SEK\xa01,234.50" in text and "€8,000" in text  # core.money.format_money: no ".00" on whole amounts


def test_amounts_and_dates_follow_the_language(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    anna.post("/i18n/setlang/", {"language": "sv", "next": "/home/"})
    text = page(anna, f"/customers/{book.lulea.ref}/")
    assert "1\xa0234,50\xa0kr" in text
    assert "18 dec. 2025" in text
    assert "Möten" in text and "Personer" in text


def test_times_are_shown_in_the_viewers_time_zone(personas: Personas, book: Book) -> None:
    import datetime as dt

    from kanelbulle.meetings.actions import meeting_update

    start = dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC)
    meeting_update(None, book.anna_meeting, start=start)
    anna = logged_in(personas.seller)
    assert "15 Jan 2026, 10:00" in page(anna, f"/customers/{book.lulea.ref}/meetings/{book.anna_meeting.ref}/")
    personas.seller.time_zone = "America/New_York"
    personas.seller.save()
    assert "15 Jan 2026, 04:00" in page(anna, f"/customers/{book.lulea.ref}/meetings/{book.anna_meeting.ref}/")


def test_home_by_role(personas: Personas, book: Book) -> None:
    seller = page(logged_in(personas.seller), "/home/")
    assert "Norrbotten Stål AB" in seller and "Spring steel" in seller and "<svg" not in seller.split("</header>")[1]
    manager = page(logged_in(personas.manager), "/home/")
    assert 'class="chart"' in manager and "Anna Berg" in manager and "Bertil Ek" in manager
    assert "Olle Syd" not in manager
    twelve = page(logged_in(personas.manager), "/home/", weeks="12")
    assert "last 12 weeks" in twelve
    admin = page(logged_in(personas.admin), "/home/")
    assert "Olle Syd" in admin


def test_the_deal_board_lists_open_deals_per_seller(personas: Personas, book: Book) -> None:
    assert "Spring steel" in page(logged_in(personas.manager), "/customers/deals/")
    assert "Spring steel" not in page(logged_in(personas.outsider), "/customers/deals/")


def test_only_admins_manage_users(personas: Personas) -> None:
    for user in (personas.seller, personas.manager):
        assert logged_in(user).get("/users/").status_code == 403
        assert logged_in(user).post("/users/", {"username": "x"}).status_code == 403
    admin = logged_in(personas.admin)
    assert "bertil" in page(admin, "/users/")
    response = admin.post(
        "/users/", {"username": "cilla", "name": "Cilla", "role": "seller", "team": "north", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert User.objects.get(username="cilla").check_password(PASSWORD)
    bad = admin.post("/users/", {"username": "dan", "role": "seller", "password": "123"})
    assert bad.status_code == 400 and "too short" in bad.content.decode()
    assert not User.objects.filter(username="dan").exists()
