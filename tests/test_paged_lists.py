"""Lists that stay small (issue 15): the customer list, the deal board, the gift register, the
audit log and the size-bias report show one page, keep their filters in the pager's links, refuse
a filter the viewer may not pick (400, naming it) without showing anything of another team's,
fall back to a valid page for a bad page number, and cost the same number of queries whatever
the size of the book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kanelbulle.accounts.models import User
from kanelbulle.core.models import AuditEntry
from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal
from kanelbulle.gifts import views as gift_views
from kanelbulle.gifts.models import Gift
from kanelbulle.meetings.models import Meeting
from tests.gifts_helpers import FAST_HASHERS
from tests.personas import Personas, logged_in
from tests.test_workspace_book import Book, make_book

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def book(personas: Personas) -> Book:
    return make_book(personas)


def get(client: Client, url: str, status: int = 200, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == status, (url, params, response.status_code)
    return response.content.decode()


def grow(owner: User, n: int, prefix: str = "Kund") -> None:
    """``n`` more customers of ``owner``, each with two meetings and an open deal (bulk: the
    pages are under test here, not the writes)."""
    customers = Customer.objects.bulk_create(
        Customer(
            ref=f"c-{prefix.lower()}-{owner.username}-{i}",
            name=f"{prefix} {i:03}",
            country="SE",
            city="Umeå",
            lat=63.8,
            lon=20.3,
            time_zone="Europe/Stockholm",
            owner=owner,
        )
        for i in range(n)
    )
    start = dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC)
    Meeting.objects.bulk_create(
        Meeting(ref=f"m-{c.ref}-{k}", customer=c, user=owner, start=start + dt.timedelta(days=k))
        for c in customers
        for k in range(2)
    )
    Deal.objects.bulk_create(
        Deal(
            ref=f"d-{c.ref}",
            customer=c,
            user=owner,
            title=f"Deal {c.name}",
            value_amount=Decimal("100.00"),
            value_currency="SEK",
            created=dt.date(2025, 1, 1) + dt.timedelta(days=i),
        )
        for i, c in enumerate(customers)
    )


def queries(client: Client, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


# --- The customer list -------------------------------------------------------------------------


def test_customer_list_pages_keep_the_filters_and_say_n_of_m(personas: Personas, book: Book) -> None:
    grow(personas.seller, 30)
    anna = logged_in(personas.seller)
    first = get(anna, "/customers/", potential="unknown")
    assert "1–25 of 30" in first and "Page 1 of 2" in first
    assert "potential=unknown&amp;page=2" in first  # the pager keeps the filter
    second = get(anna, "/customers/", potential="unknown", page="2")
    assert "26–30 of 30" in second and "Kund 029" in second and "Kund 000" not in second
    # htmx upgrades the same links: only #results is swapped.
    assert 'hx-target="#results"' in first and 'hx-select="#results"' in first
    anna.post("/i18n/setlang/", {"language": "sv", "next": "/home/"})
    swedish = get(anna, "/customers/", potential="unknown", page="2")
    assert "26–30 av 30" in swedish and "Föregående" in swedish and "Sida 2 av 2" in swedish


def test_customer_list_bad_page_numbers_fall_back(personas: Personas, book: Book) -> None:
    grow(personas.seller, 30)
    anna = logged_in(personas.seller)
    assert "1–25 of 32" in get(anna, "/customers/", page="abc")
    assert "1–25 of 32" in get(anna, "/customers/", page="-3")
    assert "26–32 of 32" in get(anna, "/customers/", page="999")


def test_customer_list_refuses_a_seller_of_another_team(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    # Allowed: a teammate's customers.
    allowed = get(anna, "/customers/", owner=str(personas.other_seller.pk))
    assert "Trollhättan Verk" in allowed and "Norrbotten" not in allowed
    # Refused: Olle sells in team south; naming him shows nothing of his, with a clear 400.
    refused = get(anna, "/customers/", 400, owner=str(personas.outsider.pk))
    assert "Malmö Mek" not in refused and "Seller" in refused and "valid choice" in refused
    for page in ("1", "2", "999"):
        assert "Malmö Mek" not in get(anna, "/customers/", page=page)


def test_customer_list_team_filter_for_the_admin_only(personas: Personas, book: Book) -> None:
    admin = logged_in(personas.admin)
    south = get(admin, "/customers/", team="south")
    assert "Malmö Mek" in south and "Norrbotten" not in south
    assert '<select name="team"' not in get(logged_in(personas.seller), "/customers/")  # one team: no choice
    assert "Malmö Mek" not in get(logged_in(personas.seller), "/customers/", 400, team="south")


def test_customer_list_bad_filter_values_answer_400_naming_the_filter(personas: Personas, book: Book) -> None:
    anna = logged_in(personas.seller)
    text = get(anna, "/customers/", 400, not_met_days="-5")
    assert "Not met in person for (days)" in text and "Norrbotten" not in text
    get(anna, "/customers/", 400, sort="bogus")
    # An htmx request gets the message in the results (htmx swaps no 400 into the page).
    response = anna.get("/customers/", {"not_met_days": "x"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_customer_list_queries_do_not_grow_with_the_book(personas: Personas, book: Book) -> None:
    admin = logged_in(personas.admin)
    small = queries(admin, "/customers/"), queries(admin, "/customers/", sort="last_met", page="2")
    grow(personas.seller, 60)
    grow(personas.outsider, 60, "Kunde")
    big = queries(admin, "/customers/"), queries(admin, "/customers/", sort="last_met", page="2")
    assert small == big


# --- The deal board ----------------------------------------------------------------------------


def test_deal_board_counts_and_totals_every_stage_but_shows_the_top_five(personas: Personas, book: Book) -> None:
    grow(personas.seller, 8)
    Deal.objects.filter(ref="d-c-kund-anna-0").update(stage="won", closed=dt.date(2025, 3, 1))
    manager = logged_in(personas.manager)
    text = get(manager, "/customers/deals/")
    # 8 open (7 grown + Spring steel), 1 won; totals per currency from SQL.
    assert 'id="st-open">' in text and "SEK\xa01,934.50" in text and "SEK\xa0100" in text
    assert text.count('class="deal-row"') == 5 + 1  # five open cards, the one won
    assert "All 8: Open" in text and "stage=open" in text
    page = get(manager, "/customers/deals/", stage="open")
    assert page.count('class="deal-row"') == 8 and "1–8 of 8" in page


def test_deal_board_stage_page_is_paged_and_keeps_the_filters(personas: Personas, book: Book) -> None:
    grow(personas.seller, 30)
    anna = logged_in(personas.seller)
    first = get(anna, "/customers/deals/", stage="open", seller="anna")
    assert "1–25 of 31" in first and "seller=anna" in first.split('rel="next"')[1].split(">")[0]
    second = get(anna, "/customers/deals/", stage="open", seller="anna", page="2")
    assert "26–31 of 31" in second
    assert "26–31 of 31" in get(anna, "/customers/deals/", stage="open", seller="anna", page="99")
    assert "Deal Kund 029" in get(anna, "/customers/deals/", q="029")


def test_deal_board_refuses_another_teams_seller_and_bad_stages(personas: Personas, book: Book) -> None:
    grow(personas.outsider, 3, "Syd")
    anna = logged_in(personas.seller)
    assert "Spring steel" in get(anna, "/customers/deals/", seller="anna")  # allowed
    refused = get(anna, "/customers/deals/", 400, seller="olle")
    assert "Deal Syd" not in refused and "Seller" in refused
    assert "Deal Syd" not in get(anna, "/customers/deals/", stage="open", page="2")
    assert "Stage" in get(anna, "/customers/deals/", 400, stage="bogus")
    olle = logged_in(personas.outsider)
    assert "Spring steel" not in get(olle, "/customers/deals/", stage="open")


def test_deal_board_queries_do_not_grow_with_the_book(personas: Personas, book: Book) -> None:
    admin = logged_in(personas.admin)
    small = queries(admin, "/customers/deals/"), queries(admin, "/customers/deals/", stage="open", page="2")
    grow(personas.seller, 60)
    grow(personas.outsider, 60, "Syd")
    big = queries(admin, "/customers/deals/"), queries(admin, "/customers/deals/", stage="open", page="2")
    assert small == big


# --- The gift register -------------------------------------------------------------------------


def add_gifts(customer: Customer, user: User, n: int, amount: str = "100.00") -> None:
    Gift.objects.bulk_create(
        Gift(
            ref=f"g-{customer.ref}-{i}",
            direction="given",
            customer=customer,
            user=user,
            date=dt.date(2025, 3, 1) + dt.timedelta(days=i),
            description=f"Gift {i:02}",
            category="food",
            value_amount=Decimal(amount),
            value_currency="SEK",
            value_company_amount=Decimal(amount),
            value_company_currency="SEK",
        )
        for i in range(n)
    )


def test_gift_register_pages_with_totals_of_every_gift(
    personas: Personas, book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gift_views, "REGISTER_PAGE", 2)
    add_gifts(book.lulea, personas.seller, 5)
    anna = logged_in(personas.seller)
    first = get(anna, "/gifts/", **{"from": "2025-01-01", "to": "2025-12-31"})
    assert "1–2 of 5" in first and "SEK\xa0500" in first and "(5)" in first  # totals over all five
    assert "Gift 04" in first and "Gift 00" not in first  # newest first
    last = get(anna, "/gifts/", page="3", **{"from": "2025-01-01", "to": "2025-12-31"})
    assert "5–5 of 5" in last and "Gift 00" in last and "from=2025-01-01" in last
    assert "Gift 04" in get(anna, "/gifts/", customer="norrbotten", **{"from": "2025-01-01", "to": "2025-12-31"})


def test_gift_register_refuses_bad_filters_and_shows_no_other_teams_gifts(personas: Personas, book: Book) -> None:
    add_gifts(book.malmo, personas.outsider, 2)
    anna = logged_in(personas.seller)
    period = {"from": "2025-01-01", "to": "2025-12-31"}
    assert "Gift 00" not in get(anna, "/gifts/", seller="olle", **period)  # scoped: nothing of Olle's
    assert "Gift 00" not in get(anna, "/gifts/", customer=book.malmo.ref, **period)
    assert "Gift 00" in get(logged_in(personas.outsider), "/gifts/", **period)  # allowed: his own
    assert "Direction" in get(anna, "/gifts/", 400, direction="sideways")
    assert "From" in get(anna, "/gifts/", 400, **{"from": "2025-13-01"})


def test_gift_register_filters_by_team_only_the_teams_the_viewer_may_name(personas: Personas, book: Book) -> None:
    add_gifts(book.lulea, personas.seller, 2)  # team north
    add_gifts(book.malmo, personas.outsider, 3)  # team south
    period = {"from": "2025-01-01", "to": "2025-12-31"}
    admin = logged_in(personas.admin)
    whole = get(admin, "/gifts/", **period)
    assert "of 5" in whole and 'name="team"' in whole and '<option value="south">' in whole
    south = get(admin, "/gifts/", team="south", **period)
    assert "1–3 of 3" in south and "team=south" in south  # the pager and the CSV keep the filter
    assert book.malmo.name in south and book.lulea.name not in south
    csv = admin.get("/gifts/report.csv", {"team": "north", **period}).content.decode()
    assert book.lulea.name in csv and book.malmo.name not in csv
    # A seller names their own team; another team is refused as one that does not exist (400).
    anna = logged_in(personas.seller)
    assert "1–2 of 2" in get(anna, "/gifts/", team="north", **period)
    refused = get(anna, "/gifts/", 400, team="south", **period)
    assert "Team: south is not one of the choices" in refused and book.malmo.name not in refused
    assert "Team: nowhere is not one of the choices" in get(admin, "/gifts/", 400, team="nowhere", **period)


def test_gift_register_queries_do_not_grow_with_the_book(personas: Personas, book: Book) -> None:
    maria = logged_in(personas.manager)
    period = {"from": "2025-01-01", "to": "2025-12-31"}
    add_gifts(book.lulea, personas.seller, 1)
    small = queries(maria, "/gifts/", **period)
    add_gifts(book.troll, personas.other_seller, 80)
    assert queries(maria, "/gifts/", **period) == small


# --- The audit log and the size-bias report -----------------------------------------------------


def test_audit_log_filters_pages_and_refuses(personas: Personas, book: Book) -> None:
    AuditEntry.objects.bulk_create(
        AuditEntry(actor=personas.admin, action="privacy_export", kind="contact", ref=f"p-{i}") for i in range(60)
    )
    admin = logged_in(personas.admin)
    text = get(admin, "/privacy/audit/", action="privacy_export")
    assert "1–50 of 60" in text and "action=privacy_export&amp;page=2" in text
    assert "p-7" in get(admin, "/privacy/audit/", record="p-7") and "1–1 of 1" in get(
        admin, "/privacy/audit/", record="p-7"
    )
    assert "Action" in get(admin, "/privacy/audit/", 400, action="nonsense")
    assert "1–1 of 1" in get(admin, "/privacy/audit/", record="p-7", page="x")
    assert logged_in(personas.manager).get("/privacy/audit/", {"action": "privacy_export"}).status_code == 404


def test_audit_log_filters_by_the_team_of_who_did_it(personas: Personas, book: Book) -> None:
    for who, n in ((personas.seller, 2), (personas.outsider, 3)):
        AuditEntry.objects.bulk_create(
            AuditEntry(actor=who, action="privacy_export", kind="contact", ref=f"p-{who.username}-{i}")
            for i in range(n)
        )
    admin = logged_in(personas.admin)
    south = get(admin, "/privacy/audit/", team="south", action="privacy_export")
    assert "1–3 of 3" in south and "p-olle-0" in south and "p-anna-0" not in south
    csv = admin.get("/privacy/audit/", {"team": "north", "action": "privacy_export", "format": "csv"})
    assert "p-anna-1" in csv.content.decode() and "p-olle-0" not in csv.content.decode()
    refused = get(admin, "/privacy/audit/", 400, team="nowhere")
    assert "Team: “nowhere” is not a team anyone is in." in refused and "p-olle-0" not in refused


def test_size_bias_refuses_a_seller_not_on_the_report(personas: Personas, book: Book) -> None:
    manager = logged_in(personas.manager)
    assert manager.get("/attention/size-bias/").status_code == 200
    assert "Seller" in get(manager, "/attention/size-bias/", 400, seller="olle")
