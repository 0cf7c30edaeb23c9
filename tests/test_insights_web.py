"""The attention list over HTTP: `GET /api/v1/attention` and the pages under /attention/, with who
may read whose list (decisions.md: not visible 404, visible but not yours 403, anonymous 401)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from kanelbulle.accounts.models import ApiToken
from kanelbulle.exchange.importer import import_document
from tests.personas import Personas
from tests.test_insights_db import EXPECTED_ANNA, TODAY, codes, scenario_book

pytestmark = pytest.mark.django_db
API = "/api/v1/attention"


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    """The personas' Argon2 hashing costs seconds per test here; these tests never check passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def book(personas: Personas) -> Personas:
    import_document(scenario_book().doc)
    return personas


def get(client: Client, who: Any, url: str) -> Any:
    if who is not None:
        client.force_login(who)
    return client.get(url)


def test_a_seller_gets_their_own_list(client: Client, book: Personas) -> None:
    response = get(client, book.seller, f"{API}?today={TODAY}")
    assert response.status_code == 200
    document = response.json()
    assert document["user"] == "anna"
    assert codes(document) == EXPECTED_ANNA


def test_the_api_takes_a_bearer_token_and_the_language(client: Client, book: Personas) -> None:
    _token, raw = ApiToken.issue(book.other_seller)
    response = client.get(f"{API}?today={TODAY}&language=sv", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["items"][0]["reasons"][0]["message"].startswith("Bad om ett möte för 20 dagar sedan")


@pytest.mark.parametrize(
    ("viewer", "target", "status"),
    [
        ("seller", "other_seller", 403),  # a teammate's list: visible team, not hers
        ("seller", "outsider", 404),  # another team: does not exist for her
        ("outsider", "seller", 404),
        ("seller", "nobody", 404),
        ("manager", "seller", 200),
        ("manager", "outsider", 404),
        ("admin", "outsider", 200),
    ],
)
def test_who_may_read_whose_list(client: Client, book: Personas, viewer: str, target: str, status: int) -> None:
    username = getattr(book, target).username if target != "nobody" else "nobody"
    response = get(client, getattr(book, viewer), f"{API}?user={username}&today={TODAY}")
    assert response.status_code == status


def test_anonymous_api_calls_get_401(client: Client, book: Personas) -> None:
    assert client.get(f"{API}?user=anna").status_code == 401


def test_a_bad_date_or_language_is_refused(client: Client, book: Personas) -> None:
    client.force_login(book.seller)
    assert client.get(f"{API}?today=2026-02-30").status_code == 422
    response = client.get(f"{API}?language=fi")
    assert response.status_code == 422
    assert response.json() == {"errors": [{"path": "language", "message": "language must be en or sv, not 'fi'"}]}


def test_the_sellers_page_lists_reasons_with_numbers(client: Client, book: Personas) -> None:
    page = get(client, book.seller, f"/attention/?today={TODAY}").content.decode()
    assert "Asked to meet 30 days ago; not yet honoured." in page
    assert "Why this health?" in page
    assert "Kund c-bertil" not in page
    assert 'href="/static/insights/insights.css"' in page


def test_the_page_speaks_swedish(client: Client, book: Personas) -> None:
    client.force_login(book.seller)
    client.post("/i18n/setlang/", {"language": "sv", "next": "/attention/"})
    page = client.get(f"/attention/?today={TODAY}").content.decode()
    assert "Bad om ett möte för 30 dagar sedan; ännu inte tillgodosett." in page
    assert "Vem behöver din uppmärksamhet" in page


def test_the_managers_page_groups_the_team_by_seller(client: Client, book: Personas) -> None:
    page = get(client, book.manager, f"/attention/?today={TODAY}").content.decode()
    assert "Attention across team north" in page
    assert page.index("Anna Berg") < page.index("Bertil Ek")
    assert "Kund c-bertil" in page and "Kund c-olle" not in page
    assert "Size-bias report" in page


def test_pages_refuse_as_the_api_does(client: Client, book: Personas) -> None:
    assert client.get("/attention/").status_code == 302
    assert client.get("/attention/").headers["Location"].startswith("/?next=")
    assert get(client, book.seller, "/attention/?user=bertil").status_code == 403
    assert get(client, book.outsider, "/attention/?user=anna").status_code == 404


def test_the_size_bias_report_sorts_and_exports_csv(client: Client, book: Personas) -> None:
    page = get(client, book.manager, f"/attention/size-bias/?today={TODAY}&sort=margin").content.decode()
    assert "Kund c-small" in page
    assert "Filed as low potential, but its own signals say strong" in page
    assert "Kund c-req" not in page
    assert 'data-label="Potential">Low</td>' in page
    swedish = client.get(f"/attention/size-bias/?today={TODAY}", headers={"Accept-Language": "sv"}).content.decode()
    assert 'data-label="Potential">Låg</td>' in swedish  # the potential in the reader's words, not "low"
    response = client.get(f"/attention/size-bias/?today={TODAY}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["customer"] for r in rows] == ["c-small"]
    assert rows[0]["potential"] == "low"
    assert rows[0]["margin_pct"] == "38.0"
    assert rows[0]["asked_to_meet"] == "2"
    assert rows[0]["evidence"].endswith("Consider re-rating it.")


def test_each_item_offers_plan_a_visit_and_then_says_it_is_pinned(client: Client, book: Personas) -> None:
    page = get(client, book.seller, f"/attention/?today={TODAY}").content.decode()
    assert 'action="/attention/plan-visit/c-req/"' in page and "Plan a visit" in page
    assert client.post("/attention/plan-visit/c-req/", {"next": f"/attention/?today={TODAY}"}).status_code == 302
    page = client.get(f"/attention/?today={TODAY}").content.decode()
    assert "Pinned for the next plan" in page and 'action="/attention/plan-visit/c-req/"' not in page
    admin = get(Client(), book.admin, f"/attention/?today={TODAY}").content.decode()
    assert "Plan a visit" not in admin  # an admin plans no one's visits
