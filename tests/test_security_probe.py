"""The security probe of issue 18: what sellers, managers and an admin tried against a running
server, and what each must answer now.

Tokens beside a session cookie, the login lockout behind a proxy, meeting requests changed
either way, the API's error shape for unknown paths and large bodies, and one-line 403 logs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from kanelbulle.accounts.models import ApiToken, User
from kanelbulle.customers.models import Customer
from kanelbulle.gifts.models import Gift
from kanelbulle.meetings import actions as meeting_actions
from kanelbulle.meetings.models import Meeting, MeetingRequest, RequestStatus
from tests.cli import run
from tests.gifts_helpers import DAY, FAST_HASHERS, contact, customer, rates
from tests.personas import PASSWORD, Personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def bearer(user: User) -> str:
    _, raw = ApiToken.issue(user)
    return raw


def api(client: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    data = "" if body is None else json.dumps(body)
    return client.generic(method, "/api/v1" + path, data=data, content_type="application/json", headers=headers)


# -- 1. a session cookie never rescues a wrong or revoked token ---------------------------------


def test_a_wrong_token_beside_a_session_cookie_is_401_not_the_session_user(personas: Personas) -> None:
    browser = Client()
    browser.force_login(personas.seller)
    assert api(browser, "GET", "/me").json()["username"] == "anna"  # the session alone works
    wrong = api(browser, "GET", "/me", Authorization="Bearer kb_not-a-token")
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0]["path"] == "Authorization"
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    other = api(browser, "GET", "/me", Authorization="Basic YW5uYTpwdw==")
    assert other.status_code == 401


def test_a_revoked_token_beside_a_session_cookie_is_401(personas: Personas) -> None:
    raw = bearer(personas.manager)
    browser = Client()
    browser.force_login(personas.seller)
    assert api(browser, "GET", "/me", Authorization=f"Bearer {raw}").json()["username"] == "maria"
    assert run("token", "revoke", raw).code == 0
    refused = api(browser, "GET", "/me", Authorization=f"Bearer {raw}")
    assert refused.status_code == 401
    created = api(browser, "POST", "/customers", {"name": "X AB", "country": "SE", "city": "Luleå"},
                  Authorization=f"Bearer {raw}")  # fmt: skip
    assert created.status_code == 401
    assert not Customer.objects.filter(name="X AB").exists()


def test_token_revoke_takes_the_whole_token_or_its_prefix(personas: Personas) -> None:
    whole, by_prefix = bearer(personas.seller), bearer(personas.seller)
    done = run("token", "revoke", whole, "--json")
    assert done.code == 0, done.err
    assert done.json == {"revoked": whole[:10]}
    assert run("token", "revoke", by_prefix[:10]).code == 0
    assert ApiToken.objects.filter(user=personas.seller, revoked_at=None).count() == 0
    again = run("token", "revoke", whole)
    assert again.code == 2
    assert again.err_lines == [f"no active token starts with {whole!r} (see `kanelbulle token list`)"]


# -- 2. the login lockout: per user and address, behind a configured proxy, with a cool-down -------


def login(client: Client, username: str, password: str, **meta: str) -> Any:
    return client.post("/", {"username": username, "password": password}, **meta)


def wrong_five_times(username: str, **meta: str) -> None:
    for _ in range(5):
        login(Client(), username, "wrong", **meta)


def test_five_wrong_tries_from_one_address_do_not_lock_the_user_out_elsewhere(personas: Personas) -> None:
    wrong_five_times("anna", REMOTE_ADDR="203.0.113.5")
    assert login(Client(), "anna", PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429
    elsewhere = login(Client(), "anna", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 302  # anna at the office still logs in
    same_address = login(Client(), "bertil", PASSWORD, REMOTE_ADDR="203.0.113.5")
    assert same_address.status_code == 302  # and so does Bertil behind the same address


def test_without_a_configured_proxy_a_forwarded_header_is_not_believed(personas: Personas) -> None:
    for n in range(5):  # the attacker makes up a new address each time
        login(Client(), "anna", "wrong", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    locked = login(Client(), "anna", PASSWORD, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert locked.status_code == 429


def test_behind_a_configured_proxy_each_client_address_counts_on_its_own(personas: Personas, settings: Any) -> None:
    settings.KANELBULLE_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"  # every request reaches the app from the proxy
    wrong_five_times("anna", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert login(Client(), "anna", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    office = login(Client(), "anna", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert office.status_code == 302
    # what the client wrote in front of the proxy's own entry is not believed
    spoofed = login(Client(), "anna", PASSWORD, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5")
    assert spoofed.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_the_lockout_lifts_after_the_cool_down(personas: Personas) -> None:
    wrong_five_times("anna", REMOTE_ADDR="203.0.113.5")
    assert login(Client(), "anna", PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert login(Client(), "anna", PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 302


# -- 5. one rule for changing a meeting request, whichever way ---------------------------------


@pytest.fixture
def annas_request(personas: Personas) -> MeetingRequest:
    cust = customer(personas.seller)
    contact(cust)
    return meeting_actions.request_open(personas.seller, cust, requested_at=timezone.now() - dt.timedelta(days=2))


def meeting_body(request: MeetingRequest) -> dict[str, Any]:
    start = (timezone.now() - dt.timedelta(hours=3)).isoformat()
    return {"customer": request.customer.ref, "start": start, "modality": "in_person", "honours": request.ref}


def test_a_teammate_who_may_not_decline_may_not_honour_either_by_api(
    personas: Personas, annas_request: MeetingRequest
) -> None:
    bertil = Client(headers={"Authorization": f"Bearer {bearer(personas.other_seller)}"})
    declined = api(bertil, "PATCH", f"/meeting-requests/{annas_request.ref}", {"status": "declined", "version": 1})
    assert declined.status_code == 403
    honoured = api(bertil, "POST", "/meetings", meeting_body(annas_request))
    assert honoured.status_code == 403
    assert "meeting requests" in honoured.json()["errors"][0]["message"]
    annas_request.refresh_from_db()
    assert annas_request.status == RequestStatus.OPEN and annas_request.honoured_by is None
    assert not Meeting.objects.exists()  # nothing half-written
    # Bertil may still log his own meeting at the customer, without honouring her request.
    plain = {k: v for k, v in meeting_body(annas_request).items() if k != "honours"}
    assert api(bertil, "POST", "/meetings", plain).status_code == 201


def test_the_seller_and_the_manager_may_honour_by_api(personas: Personas, annas_request: MeetingRequest) -> None:
    maria = Client(headers={"Authorization": f"Bearer {bearer(personas.manager)}"})
    made = api(maria, "POST", "/meetings", meeting_body(annas_request))
    assert made.status_code == 201, made.content
    annas_request.refresh_from_db()
    assert annas_request.status == RequestStatus.HONOURED
    assert annas_request.honoured_by is not None and annas_request.honoured_by.ref == made.json()["ref"]


def test_a_teammate_is_not_offered_the_request_on_the_log_page_and_cannot_post_it(
    personas: Personas, annas_request: MeetingRequest
) -> None:
    bertil = Client()
    bertil.force_login(personas.other_seller)
    page = bertil.get(f"/customers/log/?customer={annas_request.customer.ref}")
    assert page.status_code == 200
    assert 'name="honours"' not in page.content.decode()
    start = timezone.localtime() - dt.timedelta(hours=3)
    posted = bertil.post("/customers/log/", {
        "customer": annas_request.customer.ref, "start": start.strftime("%Y-%m-%dT%H:%M"), "modality": "in_person",
        "duration_minutes": "60", "honours": str(annas_request.pk),
    })  # fmt: skip
    assert posted.status_code == 400
    assert "honours" in posted.context["form"].errors
    annas_request.refresh_from_db()
    assert annas_request.status == RequestStatus.OPEN
    anna = Client()
    anna.force_login(personas.seller)
    assert 'name="honours"' in anna.get(f"/customers/log/?customer={annas_request.customer.ref}").content.decode()


def test_the_action_refuses_a_teammate_honouring_whatever_calls_it(
    personas: Personas, annas_request: MeetingRequest
) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        meeting_actions.log_meeting(
            personas.other_seller, annas_request.customer, start=timezone.now(), honours=annas_request
        )
    with pytest.raises(PermissionDenied):
        meeting_actions.request_decline(personas.other_seller, annas_request)
    annas_request.refresh_from_db()
    assert annas_request.status == RequestStatus.OPEN


# -- 6. the API's error shape everywhere under /api/ --------------------------------------------


def test_unknown_api_paths_answer_a_json_404(personas: Personas) -> None:
    client = Client(headers={"Authorization": f"Bearer {bearer(personas.seller)}"})
    for path in ("/api/v1/nothing-here", "/api/v1/customers/c-1/nothing", "/api/v2/customers", "/api/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json"), path
        assert response.json()["errors"][0]["message"].startswith("no such"), path
    page = Client().get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_body_over_the_limit_answers_413_in_the_json_shape(personas: Personas, settings: Any) -> None:
    client = Client(headers={"Authorization": f"Bearer {bearer(personas.seller)}"})
    filler = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    big = {"name": "Big AB", "country": "SE", "city": "Luleå", "notes": filler}
    response = api(client, "POST", "/customers", big)
    assert response.status_code == 413
    assert response.json()["errors"][0]["path"] == "body"
    assert not Customer.objects.filter(name="Big AB").exists()


def test_creating_a_gift_answers_201_with_location_and_etag(personas: Personas) -> None:
    rates()
    contact(customer(personas.seller))
    client = Client(headers={"Authorization": f"Bearer {bearer(personas.seller)}"})
    body = {"customer": "c-lulea-1", "contact": "p-1", "date": DAY.isoformat(), "description": "Cinnamon buns",
            "category": "food", "value": {"amount": "150.00", "currency": "SEK"}, "direction": "given"}  # fmt: skip
    made = api(client, "POST", "/gifts", body)
    assert made.status_code == 201, made.content
    ref = made.json()["ref"]
    assert made["Location"] == f"/api/v1/gifts/{ref}"
    assert made["ETag"] == f'"{Gift.objects.get(ref=ref).version}"'
    again = client.get(made["Location"])
    assert again.status_code == 200 and again["ETag"] == made["ETag"]


# -- 7. an ordinary 403 is one line in the log ---------------------------------------------------


def test_an_ordinary_403_is_logged_in_one_line(personas: Personas, caplog: pytest.LogCaptureFixture) -> None:
    seller = Client()
    seller.force_login(personas.seller)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert seller.get("/users/").status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records, "the refusal is still logged"
    for record in records:
        assert record.exc_info is None
        assert "\n" not in logging.Formatter().format(record)


# -- 4. a client-chosen ref never tells that another team's record exists ------------------------


@pytest.fixture
def two_teams(personas: Personas) -> dict[str, Any]:
    """Anna's records with free-form refs (as an import makes them), and Olle's own customer."""
    from kanelbulle.deals import actions as deal_actions
    from kanelbulle.gifts.models import Gift as GiftModel

    rates()
    annas = customer(personas.seller, "c-lulea-1")
    contact(annas, "p-1")
    olles = customer(personas.outsider, "c-malmo-1", name="Malmö Mejeri AB", city="Malmö", lat=55.6, lon=13.0)
    contact(olles, "p-olle-1", name="Sven Söder")
    deal_actions.deal_create(None, annas, ref="d-1", title="Steel", value=_sek("1000.00"))
    deal_actions.deal_create(None, annas, ref="u99999-d", title="Steel", value=_sek("1000.00"))
    deal_actions.order_create(None, annas, ref="o-1", date=DAY, value=_sek("500.00"))
    GiftModel.objects.create(
        ref="g-1", customer=annas, user=personas.seller, date=DAY, description="Buns", category="food",
        value_amount="100.00", value_currency="SEK", direction="given",
    )  # fmt: skip
    return {"annas": annas, "olles": olles}


def _sek(amount: str) -> Any:
    from decimal import Decimal

    from kanelbulle.core.money import Money

    return Money(Decimal(amount), "SEK")


def create_body(kind: str, customer_ref: str, contact_ref: str) -> dict[str, Any]:
    return {
        "customers": {"name": "Ny Kund AB", "country": "SE", "city": "Luleå"},
        "contacts": {"customer": customer_ref, "name": "Karin Ny", "lawful_basis": "legitimate_interest"},
        "deals": {"customer": customer_ref, "title": "Autumn steel", "value": {"amount": "10.00", "currency": "SEK"}},
        "orders": {"customer": customer_ref, "date": DAY.isoformat(), "value": {"amount": "10.00", "currency": "SEK"}},
        "gifts": {"customer": customer_ref, "contact": contact_ref, "date": DAY.isoformat(), "description": "Tea",
                  "category": "food", "value": {"amount": "50.00", "currency": "SEK"}, "direction": "given"},
    }[kind]  # fmt: skip


TAKEN = {"customers": "c-lulea-1", "contacts": "p-1", "deals": "d-1", "orders": "o-1", "gifts": "g-1"}
KINDS = tuple(TAKEN)


@pytest.mark.parametrize("kind", KINDS)
def test_another_teams_ref_is_refused_exactly_like_a_free_one(
    kind: str, personas: Personas, two_teams: dict[str, Any]
) -> None:
    olle = Client(headers={"Authorization": f"Bearer {bearer(personas.outsider)}"})
    body = create_body(kind, "c-malmo-1", "p-olle-1")
    assert api(olle, "GET", f"/{kind}/{TAKEN[kind]}").status_code == 404  # not his to see
    taken = api(olle, "POST", f"/{kind}", body | {"ref": TAKEN[kind]})
    free = api(olle, "POST", f"/{kind}", body | {"ref": TAKEN[kind] + "-free"})
    assert taken.status_code == free.status_code == 422
    assert taken.json()["errors"][0]["path"] == "ref"
    assert taken.json()["errors"][0]["message"] == free.json()["errors"][0]["message"]
    # ... and a ref in someone else's prefix is refused the same way
    other_prefix = api(olle, "POST", f"/{kind}", body | {"ref": "u99999-d"})
    assert other_prefix.status_code == 422
    assert other_prefix.json()["errors"][0]["message"] == free.json()["errors"][0]["message"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_ref_in_the_callers_own_prefix_is_created_once_then_409(
    kind: str, personas: Personas, two_teams: dict[str, Any]
) -> None:
    olle = Client(headers={"Authorization": f"Bearer {bearer(personas.outsider)}"})
    prefix = api(olle, "GET", "/me").json()["ref_prefix"]
    assert prefix == f"u{personas.outsider.pk}-"
    body = create_body(kind, "c-malmo-1", "p-olle-1") | {"ref": prefix + "phone-1"}
    made = api(olle, "POST", f"/{kind}", body)
    assert made.status_code == 201, made.content
    assert made.json()["ref"] == prefix + "phone-1"
    again = api(olle, "POST", f"/{kind}", body)
    assert again.status_code == 409 and again.json()["errors"][0]["path"] == "ref"


@pytest.mark.parametrize("kind", KINDS)
def test_an_admin_who_sees_everything_may_choose_free_refs(
    kind: str, personas: Personas, two_teams: dict[str, Any]
) -> None:
    adam = Client(headers={"Authorization": f"Bearer {bearer(personas.admin)}"})
    body = create_body(kind, "c-lulea-1", "p-1")
    assert api(adam, "POST", f"/{kind}", body | {"ref": TAKEN[kind]}).status_code == 409
    made = api(adam, "POST", f"/{kind}", body | {"ref": TAKEN[kind] + "-new"})
    assert made.status_code == 201, made.content
    assert api(adam, "POST", f"/{kind}", body | {"ref": f"u{personas.seller.pk}-x"}).status_code == 422


def test_a_body_over_the_limit_with_a_session_cookie_is_413_too(personas: Personas, settings: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.seller)
    browser.get("/home/")
    filler = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = api(browser, "POST", "/customers", {"name": "Big AB", "notes": filler},
                   **{"X-CSRFToken": browser.cookies["csrftoken"].value})  # fmt: skip
    assert response.status_code == 413
    assert response.json()["errors"][0]["path"] == "body"
    page = browser.post("/customers/new/", {"name": filler})
    assert page.status_code in {400, 413} and page["Content-Type"].startswith("text/html")
