"""`kanelbulle evidence`, `GET /api/v1/evidence` and the /evidence/ page, on a simulated book in the
database: who sees which deals, bad input, and that the page carries its charts as inline SVG."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kanelbulle.accounts.models import User
from kanelbulle.core.models import ExchangeRate
from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal, Order
from kanelbulle.evidence.simulate import simulate_book
from kanelbulle.meetings.models import Meeting
from tests.cli import run
from tests.personas import Personas, make_personas

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)


def store_book(sellers: list[User], seed: int = 21, n_deals: int = 160, prefix: str = "") -> None:
    """A simulated book (with a real in-person effect) written as Customers, Deals, Meetings, Orders."""
    book = simulate_book(seed, n_deals=n_deals, n_customers=n_deals // 3, n_sellers=len(sellers), today=TODAY)
    first_seller = {}
    for d in book.deals:
        first_seller.setdefault(d.customer, sellers[int(d.seller[1:])])
    customers = {}
    for c in book.customers:
        if c.key not in first_seller:
            continue
        customers[c.key] = Customer.objects.create(
            ref=f"{prefix}{c.key}",
            name=f"Customer {prefix}{c.key}",
            country="SE",
            city="Uppsala",
            lat=59.86,
            lon=17.64,
            time_zone="Europe/Stockholm",
            owner=first_seller[c.key],
            potential=c.potential,
            public_sector=c.public_sector,
        )
    Deal.objects.bulk_create(
        Deal(
            ref=f"{prefix}{d.key}",
            customer=customers[d.customer],
            user=sellers[int(d.seller[1:])],
            title=d.key,
            value_amount=d.value,
            value_currency="SEK",
            margin_pct=d.margin_pct,
            stage=d.stage,
            created=d.created,
            closed=d.closed,
        )
        for d in book.deals
    )
    Meeting.objects.bulk_create(
        Meeting(
            ref=f"{prefix}m{i}",
            customer=customers[m.customer],
            user=customers[m.customer].owner,
            start=m.start,
            modality=m.modality,
        )
        for i, m in enumerate(book.meetings)
        if m.customer in customers
    )
    Order.objects.bulk_create(
        Order(
            ref=f"{prefix}o{i}", customer=customers[o.customer], date=o.date, value_amount=o.value, value_currency="SEK"
        )
        for i, o in enumerate(book.orders)
        if o.customer in customers
    )


@pytest.fixture(scope="module")
def book(django_db_setup: None, django_db_blocker: Any) -> Iterator[Personas]:
    """One book for the whole module (writing it takes seconds); each test's changes roll back."""
    with django_db_blocker.unblock():
        personas = make_personas()
        store_book([personas.seller, personas.other_seller])
        store_book([personas.outsider], seed=22, n_deals=40, prefix="south-")
    yield personas
    with django_db_blocker.unblock():
        Meeting.objects.all().delete()
        Order.objects.all().delete()
        Deal.objects.all().delete()
        Customer.objects.all().delete()
        User.objects.all().delete()


def deals_of(*users: User) -> int:
    return Deal.objects.filter(user__in=users).count()


# --- the command ---------------------------------------------------------------------------------


def test_the_command_gives_the_whole_book_as_json(book: Personas) -> None:
    result = run("evidence", "--json", "--today", TODAY.isoformat())
    assert result.code == 0, result.err
    document = result.json
    assert document["n_deals"] == Deal.objects.count()
    assert document["n_closed_deals"] == Deal.objects.exclude(stage="open").count()
    win = document["outcomes"]["win"]
    assert win["adjusted"]["ci95"][0] < win["adjusted"]["odds_ratio"] < win["adjusted"]["ci95"][1]
    assert "not proof" in document["reading"]


def test_the_command_limits_to_one_seller(book: Personas) -> None:
    result = run("evidence", "--json", "--user", "anna", "--today", TODAY.isoformat())
    assert result.code == 0, result.err
    assert result.json["n_deals"] == deals_of(book.seller)


def test_the_command_prints_a_table_and_the_reading(book: Personas) -> None:
    result = run("evidence", "--today", TODAY.isoformat(), "--since", "2025-01-01")
    assert result.code == 0, result.err
    assert "win (odds ratio)" in result.out
    assert "not proof" in result.out
    swedish = run("evidence", "--today", TODAY.isoformat(), "--language", "sv")
    assert swedish.code == 0, swedish.err
    assert "inte bevis" in swedish.out and "not proof" not in swedish.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2027-01-01"], "--since: 2027-01-01 is in the future"),
        (["--since", "31/12/2025"], "--since: '31/12/2025' is not a date"),
        (["--since", "2025-02-30"], "--since: '2025-02-30' is not a date"),
        (["--today", "tomorrow"], "--today: 'tomorrow' is not a date"),
        (["--user", "nobody"], "--user: no user named 'nobody'"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(book: Personas, args: list[str], message: str) -> None:
    before = Deal.objects.count()
    result = run("evidence", "--json", "--today", TODAY.isoformat(), *args)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err_lines) == 1
    assert result.err_lines[0].startswith(message)
    assert Deal.objects.count() == before


def test_a_deal_in_a_currency_without_a_rate_is_left_out_naming_it(book: Personas) -> None:
    Deal.objects.filter(ref="d0").update(value_currency="EUR")
    result = run("evidence", "--json", "--today", TODAY.isoformat())
    assert result.code == 0, result.err
    assert [(r["ref"], r["currency"]) for r in result.json["left_out"]["records"]] == [("d0", "EUR")]
    text = run("evidence", "--today", TODAY.isoformat())
    assert "1 record left out: its amount cannot be converted to SEK (no exchange rate): d0 (EUR " in text.out


def test_amounts_are_converted_to_the_company_currency(book: Personas) -> None:
    deal = Deal.objects.filter(stage="won").order_by("ref").first()
    assert deal is not None and deal.closed is not None
    baseline = run("evidence", "--json", "--today", TODAY.isoformat()).json
    ExchangeRate.objects.create(date=dt.date(2020, 1, 1), currency="EUR", per_eur=Decimal(1))
    ExchangeRate.objects.create(date=dt.date(2020, 1, 1), currency="SEK", per_eur=Decimal(10))
    Deal.objects.filter(pk=deal.pk).update(value_amount=deal.value_amount / 10, value_currency="EUR")
    converted = run("evidence", "--json", "--today", TODAY.isoformat())
    assert converted.code == 0, converted.err
    size = converted.json["outcomes"]["deal_size"]["adjusted"]["ratio"]
    assert size == pytest.approx(baseline["outcomes"]["deal_size"]["adjusted"]["ratio"], abs=0.002)


# --- the API ---------------------------------------------------------------------------------------


def test_anonymous_api_calls_get_401(client: Client, book: Personas) -> None:
    assert client.get("/api/v1/evidence").status_code == 401


def test_a_seller_gets_only_their_own_deals(client: Client, book: Personas) -> None:
    client.force_login(book.seller)
    response = client.get("/api/v1/evidence", {"today": TODAY.isoformat()})
    assert response.status_code == 200
    assert response.json()["n_deals"] == deals_of(book.seller)
    assert response.json()["by_seller"] == []
    assert client.get("/api/v1/evidence", {"user": "bertil", "today": TODAY.isoformat()}).status_code == 404


def test_a_manager_gets_the_team_and_not_other_teams(client: Client, book: Personas) -> None:
    client.force_login(book.manager)
    document = client.get("/api/v1/evidence", {"today": TODAY.isoformat()}).json()
    assert document["n_deals"] == deals_of(book.seller, book.other_seller)
    one = client.get("/api/v1/evidence", {"today": TODAY.isoformat(), "user": "bertil"}).json()
    assert one["n_deals"] == deals_of(book.other_seller)
    assert client.get("/api/v1/evidence", {"user": "olle", "today": TODAY.isoformat()}).status_code == 404


def test_an_admin_gets_everyone(client: Client, book: Personas) -> None:
    client.force_login(book.admin)
    document = client.get("/api/v1/evidence", {"today": TODAY.isoformat()}).json()
    assert document["n_deals"] == Deal.objects.count()


def test_the_api_reads_in_the_callers_language(client: Client, book: Personas) -> None:
    client.force_login(book.admin)
    english = client.get("/api/v1/evidence", {"today": TODAY.isoformat()}, headers={"Accept-Language": "en"}).json()
    swedish = client.get("/api/v1/evidence", {"today": TODAY.isoformat()}, headers={"Accept-Language": "sv"}).json()
    assert "not proof" in english["reading"] and "inte bevis" not in english["reading"]
    assert "inte bevis" in swedish["reading"] and "not proof" not in swedish["reading"]
    assert "readings" not in swedish
    assert english["outcomes"] == swedish["outcomes"]  # the numbers are the same


def test_the_api_refuses_a_future_or_malformed_since(client: Client, book: Personas) -> None:
    client.force_login(book.manager)
    future = client.get("/api/v1/evidence", {"today": TODAY.isoformat(), "since": "2027-01-01"})
    assert future.status_code == 422
    assert future.json()["errors"][0]["path"] == "since"
    assert "is in the future" in future.json()["errors"][0]["message"]
    assert client.get("/api/v1/evidence", {"since": "01/02/2025", "today": TODAY.isoformat()}).status_code == 422


# --- the page --------------------------------------------------------------------------------------


def test_anonymous_page_views_go_to_the_login_page(client: Client) -> None:
    response = client.get("/evidence/", {"today": TODAY.isoformat()})
    assert response.status_code == 302
    assert response["Location"].startswith("/?next=/evidence/")


def recompute(client: Client, since: str = "") -> None:
    """Press "Recompute" (the analysis runs at once on the tests' synchronous queue)."""
    response = client.post("/evidence/recompute/", {"since": since, "today": TODAY.isoformat()})
    assert response.status_code == 302, response.content[:300]


def test_the_managers_page_has_both_charts_as_inline_svg_and_the_reading(client: Client, book: Personas) -> None:
    client.force_login(book.manager)
    recompute(client)
    response = client.get("/evidence/", {"today": TODAY.isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert len(svgs) == 2
    for svg in svgs:
        assert "<script" not in svg and "<style" not in svg and " style=" not in svg
        assert 'role="img"' in svg
    assert "Adjusted effects of meeting in person" in svgs[0]
    assert "not proof" in page and "inte bevis" not in page  # one language: the reader's
    assert "evidence/evidence.css" in page


def test_a_seller_sees_only_their_own_numbers_on_the_page(client: Client, book: Personas) -> None:
    client.force_login(book.seller)
    recompute(client)
    page = client.get("/evidence/", {"today": TODAY.isoformat()}).content.decode()
    assert "Your own deals only." in page
    assert f"of {deals_of(book.seller)}, as of" in page


def test_the_page_explains_a_bad_since_and_still_shows_everything(client: Client, book: Personas) -> None:
    client.force_login(book.manager)
    recompute(client)
    page = client.get("/evidence/", {"since": "yesterday", "today": TODAY.isoformat()}).content.decode()
    assert "is not a date" in page
    assert "<svg" in page


# --- the analyses kept per scope and recomputed on the queue -------------------------------------


@pytest.fixture
def queued() -> Iterator[None]:
    """Jobs stay on the queue (no worker in this test), as they do between a click and the worker."""
    from django_q.conf import Conf  # type: ignore[import-untyped]

    Conf.SYNC = False
    yield
    Conf.SYNC = True


def test_the_page_shows_the_kept_analysis_at_once_and_how_old_it_is(client: Client, book: Personas) -> None:
    from kanelbulle.evidence.models import StoredAnalysis

    client.force_login(book.manager)
    empty = client.get("/evidence/", {"today": TODAY.isoformat()}).content.decode()
    assert "No analysis is kept for this view yet." in empty and "<svg" not in empty
    assert 'hx-trigger="load, submit"' in empty  # with htmx the first analysis starts by itself
    response = client.post("/evidence/recompute/", {"today": TODAY.isoformat()}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == "/evidence/"
    kept = StoredAnalysis.objects.get()
    assert (kept.scope, kept.since, kept.as_of) == ("team:north", "", TODAY)
    later = client.get("/evidence/", {"today": "2026-07-03"}).content.decode()
    assert "Computed as of 2026-06-30" in later and "3 days old." in later
    assert f"of {deals_of(book.seller, book.other_seller)}, as of 2026-06-30" in later
    assert 'hx-trigger="load, submit"' not in later
    # A seller's own page keeps its own analysis; the manager's is untouched.
    seller = Client()
    seller.force_login(book.seller)
    assert "No analysis is kept" in seller.get("/evidence/").content.decode()
    recompute(seller)
    assert StoredAnalysis.objects.filter(scope=f"user:{book.seller.pk}").exists()
    assert StoredAnalysis.objects.get(scope="team:north") == kept


def test_the_charts_are_drawn_when_the_analysis_is_kept_not_on_every_view(
    client: Client, book: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kanelbulle.evidence import charts as drawing
    from kanelbulle.evidence.models import StoredAnalysis

    client.force_login(book.manager)
    recompute(client)
    kept = StoredAnalysis.objects.get()
    assert set(kept.charts) == {"en", "sv"} and kept.charts["sv"]["forest"].lstrip().startswith("<")
    drawn: list[str] = []
    for name in ("forest_plot", "modality_plot"):
        real = getattr(drawing, name)
        monkeypatch.setattr(drawing, name, lambda result, real=real, name=name: drawn.append(name) or real(result))
    page = client.get("/evidence/", {"today": TODAY.isoformat()}).content.decode()
    assert kept.charts["en"]["forest"] in page and kept.charts["en"]["modality"] in page
    client.post("/i18n/setlang/", {"language": "sv", "next": "/evidence/"})
    assert kept.charts["sv"]["forest"] in client.get("/evidence/").content.decode()
    assert drawn == []  # both views read the kept drawings
    # A result kept without drawings (an older version's) gets them drawn on its first view, once.
    StoredAnalysis.objects.update(charts={})
    client.get("/evidence/")
    client.get("/evidence/")
    assert drawn == ["forest_plot", "modality_plot"]
    assert set(StoredAnalysis.objects.get().charts) == {"sv"}


def test_the_api_answers_the_kept_analysis_at_once_when_asked_for_it(client: Client, book: Personas) -> None:
    client.force_login(book.manager)
    none_yet = client.get("/api/v1/evidence", {"kept": "true"})
    assert none_yet.status_code == 404 and none_yet.json()["errors"][0]["path"] == "kept"
    recompute(client)
    kept = client.get("/api/v1/evidence", {"kept": "true"})
    assert kept.status_code == 200
    doc = kept.json()
    assert doc["as_of"] == TODAY.isoformat() and doc["computed_at"]
    assert doc["n_deals"] == deals_of(book.seller, book.other_seller)  # the team's, as the page shows
    live = client.get("/api/v1/evidence", {"today": TODAY.isoformat()}).json()
    assert {k: v for k, v in doc.items() if k not in ("as_of", "computed_at")} == live
    # A seller's kept analysis is of their own deals only; another scope's is never answered.
    seller = Client()
    seller.force_login(book.seller)
    assert seller.get("/api/v1/evidence", {"kept": "true"}).status_code == 404
    for bad in ({"user": "bertil"}, {"today": TODAY.isoformat()}):
        refused = client.get("/api/v1/evidence", {"kept": "true", **bad})
        assert refused.status_code == 422 and refused.json()["errors"][0]["path"] == next(iter(bad))
    assert client.get("/api/v1/evidence", {"kept": "maybe"}).status_code == 422


def test_a_waiting_analysis_says_computing_and_a_second_click_joins_it(
    client: Client, book: Personas, queued: None
) -> None:
    from django_q.models import OrmQ

    from kanelbulle.core.models import PageJob
    from kanelbulle.evidence.jobs import analyse_scope
    from kanelbulle.evidence.models import StoredAnalysis

    client.force_login(book.manager)
    first = client.post("/evidence/recompute/", {"since": "2025-01-01", "today": TODAY.isoformat()})
    job = PageJob.objects.get()
    assert first["Location"] == f"/evidence/job/{job.key}/"
    page = client.get("/evidence/", {"since": "2025-01-01"}).content.decode()
    assert "Computing…" in page and f'hx-get="/evidence/job/{job.key}/"' in page
    client.post("/evidence/recompute/", {"since": "2025-01-01", "today": TODAY.isoformat()}, HTTP_HX_REQUEST="true")
    assert PageJob.objects.count() == 1 and OrmQ.objects.count() == 1
    # The first worker died mid-analysis; the job is handed out again and keeps one result.
    PageJob.objects.filter(pk=job.pk).update(state="running", attempts=1)
    assert analyse_scope(job.key) == analyse_scope(job.key)
    assert StoredAnalysis.objects.filter(scope="team:north", since="2025-01-01").count() == 1
    done = client.get(f"/evidence/job/{job.key}/", HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == "/evidence/?since=2025-01-01"


def test_only_the_scopes_viewers_follow_its_analysis(client: Client, book: Personas, queued: None) -> None:
    from kanelbulle.core.models import PageJob

    client.force_login(book.seller)
    client.post("/evidence/recompute/", {"today": TODAY.isoformat()})
    url = f"/evidence/job/{PageJob.objects.get().key}/"
    assert client.get(url).status_code == 200
    for who in (book.other_seller, book.manager, book.outsider):  # another scope: as if it did not exist
        other = Client()
        other.force_login(who)
        assert other.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


def test_a_recompute_refuses_bad_input_a_get_and_a_missing_csrf_token(client: Client, book: Personas) -> None:
    from kanelbulle.core.models import PageJob

    client.force_login(book.manager)
    bad = client.post("/evidence/recompute/", {"since": "31/12/2025"})
    assert bad.status_code == 400 and "is not a date; use YYYY-MM-DD." in bad.content.decode()
    future = client.post("/evidence/recompute/", {"since": "2026-07-01", "today": TODAY.isoformat()})
    assert future.status_code == 400 and "2026-07-01 is in the future." in future.content.decode()
    assert client.get("/evidence/recompute/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(book.manager)
    assert strict.post("/evidence/recompute/").status_code == 403
    assert Client().post("/evidence/recompute/").status_code == 302  # anonymous: to the login page
    assert not PageJob.objects.exists()


def test_the_nightly_recompute_refreshes_each_kept_scope_once_a_day(client: Client, book: Personas) -> None:
    from kanelbulle.evidence.jobs import nightly_evidence
    from kanelbulle.evidence.models import StoredAnalysis

    client.force_login(book.seller)
    recompute(client)
    first = nightly_evidence("2026-07-01")
    # The seller's kept scope, the company's, and team north's (it has a manager).
    assert first["recomputed"] == 3 and first["failed"] == 0
    assert set(StoredAnalysis.objects.values_list("scope", "as_of")) == {
        (f"user:{book.seller.pk}", dt.date(2026, 7, 1)),
        ("company", dt.date(2026, 7, 1)),
        ("team:north", dt.date(2026, 7, 1)),
    }
    again = nightly_evidence("2026-07-01")  # run again (its worker died): nothing twice
    assert (again["recomputed"], again["skipped"]) == (0, 3)
