"""Every page and every API operation, asked by every kind of caller: the answer must be the one
written in the table below, and a refused request must leave the stored data as it was.

The routes are found, not listed: every URL pattern Django knows (walked recursively) and every
operation in the API's OpenAPI document. A route without a row in the table fails the test with
"route X has no expectation: add one", so a new view cannot ship without a decision on who may
use it.

Callers: anonymous; Anna, the seller who owns the customer; Bertil, a seller in her team; Maria,
their manager; Adam, the admin; and Olle, a seller in another team. Answers (decisions.md): a
page refused to anonymous goes to the login page (``L``); the API answers anonymous 401; a
record the caller may not see answers 404; an action on a record they may see but not change
answers 403. Unsafe methods are sent with a valid body, each inside a transaction that is rolled
back afterwards, so that every request meets the same data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, partial
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from kanelbulle.accounts.models import ApiToken, User
from kanelbulle.api import api
from kanelbulle.core.models import ExchangeRate
from kanelbulle.customers import actions as customers
from kanelbulle.customers.models import Customer, Fact
from kanelbulle.gifts import actions as gifts
from kanelbulle.gifts.models import Gift
from kanelbulle.planner.actions import make_plan, next_working_day
from kanelbulle.planner.models import VisitPlan
from tests.personas import PASSWORD, Personas
from tests.test_workspace_book import ANNA_UNSAID, Book, make_book

pytestmark = pytest.mark.django_db

PLAN_DAY = dt.date(2026, 11, 27)  # the day the matrix's plans are valued on (never the clock)
CALLERS = ("anonymous", "seller", "other_seller", "manager", "admin", "outsider")

# -- the expectations -------------------------------------------------------------------------
# One string per route and method: the answer for each caller, in the order of CALLERS.
# ``L`` = redirect to the login page; a number = that status; ``302`` = a redirect elsewhere.
# A POST to an URL that only takes POST answers 405 to a GET, before any log-in (nothing to see).
# A customer named in a JSON body that the caller may not see is an invalid field (422 at
# ``customer``, worded exactly as for a ref that does not exist), not a 404 of the URL.

ALL = "L 200 200 200 200 200"  # any logged-in user


def _travel_policy_json() -> str:
    import json

    from kanelbulle.planner.policy import default_policy

    return json.dumps(default_policy())


TEAM = "L 200 200 200 200 404"  # the customer's team and the admin; another team: not there
EDIT = "L 200 403 200 200 404"  # the owner, the manager and the admin change it; a teammate may only look
ADMIN_PAGE = "L 404 404 404 200 404"  # admin pages do not exist for anyone else
ADMIN_403 = "L 403 403 403 200 403"

PAGES: dict[str, dict[str, str]] = {
    # the web frame
    "web:login": {"GET": "200 302 302 302 302 302"},
    "web:logout": {"GET": "405 405 405 405 405 405", "POST": "302 302 302 302 302 302"},
    "web:home": {"GET": ALL},
    # the phone app: its page is a logged-in user's; the manifest and the worker hold no data
    "web:field": {"GET": ALL},
    "web:service_worker": {"GET": "200 200 200 200 200 200"},
    "web:manifest": {"GET": "200 200 200 200 200 200"},
    "web:users": {"GET": ADMIN_403, "POST": ADMIN_403.replace("200", "302")},
    "set_language": {"POST": "302 302 302 302 302 302"},
    # customers
    "customers:list": {"GET": ALL},
    "customers:create": {"GET": ALL, "POST": "L 302 302 302 302 302"},
    "customers:suggest": {"GET": ALL},
    "customers:log": {"GET": ALL, "POST": "L 302 302 302 302 404"},
    "customers:deals": {"GET": ALL},
    "customers:detail": {"GET": TEAM},
    "customers:edit": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:delete": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:contact_create": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:contact_edit": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:contact_delete": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:fact_add": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:fact_delete": {"GET": "405 405 405 405 405 405", "POST": "L 302 403 302 302 404"},
    "customers:meeting": {"GET": TEAM},
    "customers:meeting_edit": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:meeting_delete": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:request_create": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:request_decline": {"GET": "405 405 405 405 405 405", "POST": "L 302 403 302 302 404"},
    "customers:request_edit": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:request_delete": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:deal_create": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:deal_edit": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:deal_stage": {"GET": "405 405 405 405 405 405", "POST": "L 302 403 302 302 404"},
    "customers:deal_delete": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:order_create": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:order_edit": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    "customers:order_delete": {"GET": EDIT, "POST": "L 302 403 302 302 404"},
    # gifts
    "gifts:register": {"GET": ALL},
    "gifts:csv": {"GET": ALL},
    "gifts:print": {"GET": ALL},
    "gifts:new": {"GET": ALL, "POST": "L 302 302 302 302 400"},
    "gifts:check": {"GET": ALL},
    "gifts:policy": {"GET": ALL, "POST": "L 403 403 403 302 403"},
    "gifts:detail": {"GET": TEAM},
    "gifts:edit": {"GET": "L 200 403 200 200 404", "POST": "L 302 403 302 302 404"},
    "web:user_edit": {"GET": "L 403 403 403 200 403", "POST": "L 403 403 403 302 403"},
    "web:user_active": {"GET": "L 403 403 403 200 403", "POST": "L 403 403 403 302 403"},
    # passwords: everyone changes their own; only an admin sets another user's (403 to the rest)
    "web:password_change": {"GET": ALL, "POST": "L 302 302 302 302 302"},
    "web:user_password": {"GET": "L 403 403 403 200 403", "POST": "L 403 403 403 302 403"},
    "gifts:approve": {"GET": "405 405 405 405 405 405", "POST": "L 403 403 302 302 404"},
    "gifts:void": {"GET": "405 405 405 405 405 405", "POST": "L 302 403 302 302 404"},
    # the plan: a seller plans their own days; a plan is seen by its seller, their manager and the
    # admin (a teammate's plan is not theirs to see: 404); only its seller accepts it (403 to others)
    "planner:plan": {"GET": ALL},
    "planner:solve": {"GET": "405 405 405 405 405 405", "POST": "L 302 302 302 302 302"},
    "planner:detail": {"GET": "L 200 404 200 200 404"},
    "planner:change": {"GET": "405 405 405 405 405 405", "POST": "L 302 404 302 302 404"},
    "planner:accept": {"GET": "405 405 405 405 405 405", "POST": "L 302 404 403 403 404"},
    # a solve Anna asked for (done: to the plan), followed by those who may see her plans
    "planner:job": {"GET": "L 302 404 302 302 404"},
    # a pinned visit: only the customer's seller or their manager pins or removes it
    "planner:unpin": {"GET": "405 405 405 405 405 405", "POST": "L 302 403 302 403 404"},
    "planner:ics": {"GET": "L 200 404 200 200 404"},
    "planner:brief": {"GET": TEAM},
    "planner:worth": {"GET": TEAM},
    # the travel policy: everyone reads it; only the admin saves a new version
    "planner:policy": {"GET": ALL, "POST": "L 403 403 403 302 403"},
    # insights, evidence
    "insights:list": {"GET": ALL},
    "insights:size_bias": {"GET": ALL},
    "insights:snooze": {"GET": "405 405 405 405 405 405", "POST": "L 302 403 302 302 404"},
    "insights:wake": {"GET": "405 405 405 405 405 405", "POST": "L 302 403 302 302 404"},
    "insights:plan_visit": {"GET": "405 405 405 405 405 405", "POST": "L 302 403 302 403 404"},
    "evidence:page": {"GET": ALL},
    # a recompute of the caller's own scope; its progress only for that scope (Anna's, done: to the page)
    "evidence:recompute": {"GET": "405 405 405 405 405 405", "POST": "L 302 302 302 302 302"},
    "evidence:job": {"GET": "L 302 404 404 404 404"},
    # privacy (admins only)
    "privacy:index": {"GET": ADMIN_PAGE},
    "privacy:audit": {"GET": ADMIN_PAGE},
    "privacy:export": {"GET": ADMIN_PAGE, "POST": ADMIN_PAGE},
    "privacy:erase": {"GET": "L 404 404 404 405 404", "POST": "L 404 404 404 302 404"},
    "privacy:renew": {"GET": "L 404 404 404 405 404", "POST": "L 404 404 404 302 404"},
    # the API's pages outside its OpenAPI document
    "api:openapi-json": {"GET": "200 200 200 200 200 200"},
    "api:docs": {"GET": "200 200 200 200 200 200"},
    "api:docs_asset": {"GET": "200 200 200 200 200 200"},
    "api:api-root": {"GET": "404 404 404 404 404 404"},
}

# API operations by operationId (the OpenAPI document's).
A_ALL = "401 200 200 200 200 200"
A_TEAM = "401 200 200 200 200 404"
A_EDIT = "401 200 403 200 200 404"
API: dict[str, str] = {
    "getHealth": "200 200 200 200 200 200",
    "solvePlan": A_ALL,  # each caller plans their own days
    "getBrief": A_TEAM,
    "getTripWorth": A_TEAM,
    "getMe": A_ALL,
    "fieldSnapshot": A_ALL,  # each caller's own customers and visits
    "createCalendarToken": "401 201 201 201 201 201",
    "listUsers": A_ALL,
    "getUser": A_TEAM,
    "listCustomers": A_ALL,
    "createCustomer": "401 201 201 201 201 201",
    "getCustomer": A_TEAM,
    "replaceCustomer": A_EDIT,
    "patchCustomer": A_EDIT,
    "deleteCustomer": "401 204 403 204 204 404",
    "listContacts": A_ALL,
    "createContact": "401 201 403 201 201 422",
    "getContact": A_TEAM,
    "replaceContact": A_EDIT,
    "patchContact": A_EDIT,
    "deleteContact": "401 204 403 204 204 404",
    "addFact": "401 201 403 201 201 404",
    "deleteFact": "401 204 403 204 204 404",
    "exportVcard": A_TEAM,
    "importVcard": A_EDIT,
    "listMeetings": A_ALL,
    "createMeeting": "401 201 201 201 201 422",
    "getMeeting": A_TEAM,
    "replaceMeeting": A_EDIT,
    "patchMeeting": A_EDIT,
    "deleteMeeting": "401 204 403 204 204 404",
    "listMeetingRequests": A_ALL,
    "createMeetingRequest": "401 201 403 201 201 422",
    "getMeetingRequest": A_TEAM,
    "patchMeetingRequest": A_EDIT,
    "deleteMeetingRequest": "401 204 403 204 204 404",
    "listDeals": A_ALL,
    "createDeal": "401 201 403 201 201 422",
    "getDeal": A_TEAM,
    "replaceDeal": A_EDIT,
    "patchDeal": A_EDIT,
    "deleteDeal": "401 204 403 204 204 404",
    "listOrders": A_ALL,
    "createOrder": "401 201 403 201 201 422",
    "getOrder": A_TEAM,
    "replaceOrder": A_EDIT,
    "patchOrder": A_EDIT,
    "deleteOrder": "401 204 403 204 204 404",
    "checkGift": "401 200 200 200 200 422",
    "listGifts": A_ALL,
    "createGift": "401 201 201 201 201 422",
    "getGift": A_TEAM,
    "patchGift": A_EDIT,
    "deleteGift": "401 405 405 405 405 404",  # never deleted: voided
    "approveGift": "401 403 403 200 200 404",
    "voidGift": A_EDIT,
    "getGiftPolicy": A_ALL,
    "createGiftPolicy": "401 403 403 403 201 403",
    "getAttention": A_ALL,
    # what a seller does with an item: the seller, their manager (and for a snooze the admin) may
    "snoozeItem": "401 201 403 201 201 404",
    "wakeItem": "401 204 403 204 204 404",
    "planVisit": "401 201 403 201 403 404",  # an admin plans no one's visits
    "unplanVisit": "401 204 403 204 403 404",
    "getEvidence": A_ALL,
    "getCalendarFeed": "401 401 401 401 401 401",
}


# -- the data every route addresses ---------------------------------------------------------


@dataclass
class World:
    book: Book
    people: Personas
    spare: Customer  # Anna's customer without gifts, for the deletes
    fact: Fact
    gift: Gift
    plan: VisitPlan  # Anna's plan for one day
    tokens: dict[str, str] = field(default_factory=dict)

    def user(self, caller: str) -> User | None:
        return None if caller == "anonymous" else getattr(self.people, caller)


def make_world(people: Personas) -> World:
    book = make_book(people)
    spare = customers.customer_create(
        None, name="Spare AB", country="SE", city="Luleå", lat=65.58, lon=22.15, time_zone="Europe/Stockholm",
        owner=people.seller,
    )  # fmt: skip
    fact = Fact.objects.get(contact=book.li)
    ExchangeRate.objects.create(date=dt.date(2025, 1, 2), currency="SEK", per_eur=Decimal("11.5"))
    # Over our 300 SEK per gift: it waits for a manager's approval (verdict "ask").
    data = gifts.parse_input(
        None, customer=book.lulea.ref, contact=book.li.ref, amount="450.00", currency="SEK",
        description="Cinnamon buns for the office", category="food", date=timezone.localdate().isoformat(),
        direction="given",
    )  # fmt: skip
    gift, _ = gifts.record_gift(None, data, user=people.seller)
    plan = make_plan(people.seller, people.seller, next_working_day(PLAN_DAY), 1, today=PLAN_DAY)
    world = World(book=book, people=people, spare=spare, fact=fact, gift=gift, plan=plan)
    for caller in CALLERS[1:]:
        _, world.tokens[caller] = ApiToken.issue(world.user(caller))  # type: ignore[arg-type]
    return world


def version_of(obj: Any) -> int:
    obj.refresh_from_db()
    return int(obj.version)


# -- pages: where each route points and what a valid form says -------------------------------


def page_kwargs(name: str, params: list[str], w: World) -> dict[str, Any]:
    b = w.book
    values: dict[str, Any] = {
        "ref": b.lulea.ref,
        "contact_ref": b.li.ref,
        "meeting_ref": b.anna_meeting.ref,
        "request_ref": b.request.ref,
        "deal_ref": b.deal.ref,
        "order_ref": b.order.ref,
        "pk": w.fact.pk,
        "name": "docs.js",
        "username": "anna",
    }
    if name.startswith("gifts:"):
        values["ref"] = w.gift.ref
    if name.startswith("privacy:"):
        values["ref"] = b.li.ref
    if name.startswith("planner:"):
        values["pk"] = w.plan.pk
    if name == "customers:delete":
        values["ref"] = w.spare.ref
    if "key" in params:
        values["key"] = finished_job(name, w)
    return {p: values[p] for p in params}


def finished_job(name: str, w: World) -> str:
    """A finished job of Anna's: her plan's solve, or her own evidence analysis."""
    from kanelbulle.core.models import PageJob

    anna = w.people.seller
    kind = name.split(":")[0].replace("planner", "plan")
    params = {"owner": anna.pk} if kind == "plan" else {"scope": f"user:{anna.pk}", "since": ""}
    job, _created = PageJob.objects.get_or_create(
        key=f"matrix-{kind}",
        defaults={
            "kind": kind, "subject": f"{kind}:matrix", "params": params, "requested_by": anna,
            "state": PageJob.DONE, "queued_at": timezone.now(), "result": {"plan": w.plan.pk},
        },
    )  # fmt: skip
    return job.key


def page_body(name: str, caller: str, w: World) -> dict[str, Any]:
    b = w.book
    me = w.user(caller)
    start = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    customer = {
        "name": "Norrbotten Stål AB", "country": "SE", "city": "Luleå", "lat": "65.58", "lon": "22.15",
        "potential": "high", "visit_minutes": "60",
    }  # fmt: skip
    bodies: dict[str, dict[str, Any]] = {
        "web:logout": {},
        "web:users": {"username": "newbie", "role": "seller", "team": "north", "password": "a-Long-passphrase-42"},
        "set_language": {"language": "sv", "next": "/home/"},
        "customers:create": customer | {"name": "Ny Kund AB", "owner": str(me.pk if me else "")},
        "customers:edit": customer | {"owner": str(w.people.seller.pk), "version": str(version_of(b.lulea))},
        "customers:delete": {},
        "insights:wake": {},
        "insights:snooze": {
            "until": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
            "reason": "Waiting for their budget",
        },
        "customers:log": {
            "customer": b.lulea.ref,
            "start": start,
            "modality": "phone",
            "duration_minutes": "20",
            "notes": "Quick call",
        },
        "customers:contact_create": {"name": "Karin Ny", "lawful_basis": "legitimate_interest"},
        "customers:contact_edit": {
            "name": "Li Wei",
            "title": "CTO",
            "lawful_basis": "legitimate_interest",
            "version": str(version_of(b.li)),
        },
        "customers:contact_delete": {},
        "customers:fact_add": {"kind": "pet", "text": "A third schnauzer"},
        "customers:fact_delete": {},
        "customers:meeting_edit": {
            "start": start,
            "modality": "video",
            "duration_minutes": "45",
            "status": "held",
            "notes": "Changed",
            "version": str(version_of(b.anna_meeting)),
        },
        "customers:meeting_delete": {},
        "customers:request_create": {"requested_at": start},
        "customers:request_decline": {},
        "customers:request_edit": {
            "requested_at": start,
            "contact": str(b.li.pk),
            "version": str(version_of(b.request)),
        },
        "customers:request_delete": {},
        "customers:deal_create": {
            "title": "Autumn steel",
            "value_amount": "1000.00",
            "value_currency": "SEK",
            "stage": "open",
            "created": timezone.localdate().isoformat(),
        },
        "customers:deal_edit": {
            "title": "Spring steel",
            "value_amount": "2000.00",
            "value_currency": "SEK",
            "stage": "open",
            "created": timezone.localdate().isoformat(),
            "version": str(version_of(b.deal)),
        },
        "customers:deal_stage": {"stage": "won", "closed": timezone.localdate().isoformat()},
        "customers:deal_delete": {},
        "customers:order_create": {"date": "2026-01-10", "value_amount": "500.00", "value_currency": "SEK"},
        "customers:order_edit": {
            "date": "2026-01-05",
            "value_amount": "9000.00",
            "value_currency": "EUR",
            "version": str(version_of(b.order)),
        },
        "customers:order_delete": {},
        "gifts:new": {
            "customer": b.lulea.ref,
            "description": "A book",
            "amount": "150",
            "currency": "SEK",
            "category": "object",
        },
        "gifts:policy": {
            "per_gift_limit": "300.00",
            "per_recipient_year_limit": "1000.00",
            "public_sector_token": "100.00",
            "note": "same again",
        },
        "planner:policy": {"valid_from": "2026-12-01", "policy": _travel_policy_json(), "note": "same again"},
        "gifts:approve": {"note": "fine"},
        "gifts:edit": {
            "direction": "given",
            "contact": b.li.ref,
            "description": "Cinnamon buns for the office",
            "category": "food",
            "occasion": "Christmas",
            "amount": "450.00",
            "currency": "SEK",
            "date": timezone.localdate().isoformat(),
            "version": str(version_of(w.gift)),
            "action": "save",
        },
        "web:user_edit": {
            "name": "Anna Berg",
            "role": "seller",
            "team": "south",
            "home_city": "Luleå",
            "home_country": "SE",
            "time_zone": "Europe/Stockholm",
            "is_active": "on",
        },
        "web:user_active": {"active": "no"},
        "web:password_change": {
            "old_password": PASSWORD,
            "new_password": "a-New-passphrase-43",
            "new_password_again": "a-New-passphrase-43",
        },
        "web:user_password": {"new_password": "a-New-passphrase-43", "new_password_again": "a-New-passphrase-43"},
        "gifts:void": {"reason": "entered twice"},
        "planner:solve": {"start": next_working_day(PLAN_DAY).isoformat(), "days": "1", "today": PLAN_DAY.isoformat()},
        "planner:change": {"action": "replan"},
        "planner:accept": {},
        "privacy:erase": {"confirm": b.li.name},
        "privacy:renew": {},
        "privacy:export": {"format": "json"},
    }
    return bodies.get(name, {})


# -- API: where each operation points and a valid body ---------------------------------------


def api_path(op: str, template: str, w: World) -> str:
    b = w.book
    by_collection = {
        "customers": b.lulea.ref,
        "contacts": b.li.ref,
        "meetings": b.anna_meeting.ref,
        "meeting-requests": b.request.ref,
        "deals": b.deal.ref,
        "orders": b.order.ref,
        "gifts": w.gift.ref,
        "brief": b.lulea.ref,
        "trip-worth": b.lulea.ref,
        "attention": b.lulea.ref,
    }
    collection = template.removeprefix("/api/v1/").split("/")[0]
    ref = w.spare.ref if op == "deleteCustomer" else by_collection.get(collection, "")
    path = template.replace("{ref}", ref).replace("{username}", "anna").replace("{fact_id}", str(w.fact.pk))
    if op == "getCalendarFeed":
        path += "?token=not-annas-feed-token"  # the feed's own token, never an API token or a session
    return path


def api_body(op: str, w: World) -> Any:
    b = w.book
    money = {"amount": "1000.00", "currency": "SEK"}
    start = (timezone.now() - dt.timedelta(days=1)).isoformat()
    customer = {"name": "Norrbotten Stål AB", "country": "SE", "city": "Luleå", "lat": 65.58, "lon": 22.15}
    bodies: dict[str, Any] = {
        "createCustomer": customer | {"name": "Ny Kund AB"},
        "replaceCustomer": customer | {"version": version_of(b.lulea)},
        "patchCustomer": {"potential": "low", "version": version_of(b.lulea)},
        "createContact": {"customer": b.lulea.ref, "name": "Karin Ny", "lawful_basis": "consent"},
        "replaceContact": {"name": "Li Wei", "lawful_basis": "consent", "version": version_of(b.li)},
        "patchContact": {"title": "CTO", "version": version_of(b.li)},
        "addFact": {"kind": "pet", "text": "A third schnauzer"},
        "solvePlan": {
            "start": next_working_day(PLAN_DAY).isoformat(),
            "days": 1,
            "today": PLAN_DAY.isoformat(),
        },
        "importVcard": "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Karin Ny\r\nN:Ny;Karin;;;\r\n"
        "EMAIL:karin@example.se\r\nEND:VCARD\r\n",
        "createMeeting": {"customer": b.lulea.ref, "start": start, "modality": "phone"},
        "replaceMeeting": {"start": start, "modality": "video", "version": version_of(b.anna_meeting)},
        "patchMeeting": {"notes": "Changed", "version": version_of(b.anna_meeting)},
        "createMeetingRequest": {"customer": b.lulea.ref},
        "patchMeetingRequest": {"status": "declined", "version": version_of(b.request)},
        "createDeal": {"customer": b.lulea.ref, "title": "Autumn steel", "value": money},
        "replaceDeal": {"title": "Spring steel", "value": money, "version": version_of(b.deal)},
        "patchDeal": {"probability_pct": "40", "version": version_of(b.deal)},
        "createOrder": {"customer": b.lulea.ref, "date": "2026-01-10", "value": money},
        "replaceOrder": {"date": "2026-01-05", "value": money, "version": version_of(b.order)},
        "patchOrder": {"margin_pct": "20", "version": version_of(b.order)},
        "checkGift": {
            "customer": b.lulea.ref,
            "description": "A book",
            "value": {"amount": "150.00", "currency": "SEK"},
        },
        "createGift": {
            "customer": b.lulea.ref,
            "description": "A book",
            "value": {"amount": "150.00", "currency": "SEK"},
        },
        "patchGift": {"occasion": "Christmas", "version": version_of(w.gift)},
        "approveGift": {},
        "voidGift": {"reason": "entered twice"},
        "createGiftPolicy": {"per_gift_limit": "300.00", "note": "same again"},
        "snoozeItem": {"until": (timezone.localdate() + dt.timedelta(days=14)).isoformat(), "reason": "Budget"},
    }
    return bodies.get(op)


# -- discovering the routes -------------------------------------------------------------------


def url_patterns() -> Iterator[tuple[str, list[str]]]:
    """(namespaced name, the URL's parameter names) of every URL pattern, found recursively."""

    def walk(resolver: URLResolver, namespace: str) -> Iterator[tuple[str, list[str]]]:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                yield from walk(p, namespace + (f"{p.namespace}:" if p.namespace else ""))
            elif isinstance(p, URLPattern):
                params = list(p.pattern.converters) or re.findall(r"<(?:\w+:)?(\w+)>", str(p.pattern))
                yield namespace + (p.name or str(p.pattern)), params

    yield from walk(get_resolver(), "")


@cache
def api_operations() -> tuple[tuple[str, str, str], ...]:
    """(operation id, method, path template) from the OpenAPI document."""
    schema = api.get_openapi_schema()
    return tuple(
        (operation["operationId"], method.upper(), path)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    )


def operation_url_names() -> set[str]:
    """The URL names ninja gives the API's operations (covered by the API table, not PAGES)."""
    return {
        f"api:{operation.view_func.__name__}"
        for _prefix, router in api._routers
        for path_view in router.path_operations.values()
        for operation in path_view.operations
    }


# -- asking and comparing ---------------------------------------------------------------------

DOMAIN_MODELS = [
    ("accounts", "User", ("username", "role", "team", "is_active", "password")),
    # A token's use stamps last_used_at; what a refused request must not change is the rest.
    ("accounts", "ApiToken", ("user_id", "name", "prefix", "key_hash", "revoked_at")),
    ("accounts", "CalendarToken", None),
    ("accounts", "CalendarImport", None),
    ("core", "ExchangeRate", None),
    ("core", "Erasure", None),
    ("customers", "Customer", None),
    ("customers", "Contact", None),
    ("customers", "Fact", None),
    ("customers", "SourceId", None),
    ("meetings", "Meeting", None),
    ("meetings", "MeetingRequest", None),
    ("deals", "Deal", None),
    ("deals", "Order", None),
    ("gifts", "Gift", None),
    ("gifts", "GiftChange", None),
    ("gifts", "GiftPolicy", None),
    ("planner", "VisitPlan", None),
    ("planner", "VisitPin", None),
    ("planner", "TravelPolicy", None),
    ("privacy", "SpecialCategoryException", None),
    ("insights", "Snooze", None),
]
# Records a refused request may write: the audit trail says who tried what.
NOT_BUSINESS = {
    ("core", "AuditEntry"),
    # A background job's bookkeeping, and the relationship state derived from the records (a
    # refused request writes no record, so it cannot move them either).
    ("core", "JobRecord"),
    ("core", "PageJob"),  # a page's queued work and how far it got (its effect is a plan or an analysis)
    ("evidence", "StoredAnalysis"),  # derived from the deals, like the relationship state
    ("insights", "CustomerState"),
    ("insights", "ScopeNorms"),
    ("insights", "StateReason"),
}


def fingerprint() -> str:
    """A digest of every stored business record (not the audit trail, sessions or token use).

    A model named here that does not exist is an error, not a silent skip: the check must not
    quietly cover less than it says.
    """
    digest = hashlib.sha256()
    for app, model, fields in DOMAIN_MODELS:
        cls = apps.get_model(app, model)
        rows = cls._default_manager.order_by("pk").values_list(*(fields or ()))
        digest.update(repr((model, list(rows))).encode())
    return digest.hexdigest()


def test_the_fingerprint_covers_every_model_of_the_product() -> None:
    listed = {(app, model) for app, model, _fields in DOMAIN_MODELS}
    ours = {(m._meta.app_label, m.__name__) for m in apps.get_models() if m.__module__.startswith("kanelbulle.")}
    assert ours - listed - NOT_BUSINESS == set(), "add the model to DOMAIN_MODELS (or NOT_BUSINESS, saying why)"
    assert listed - ours == set(), "DOMAIN_MODELS names a model that does not exist"


REFUSED = {"L", "400", "401", "403", "404", "405", "409", "422"}


class _Undo(Exception):
    """Rolls back whatever one request wrote, so the next one meets the same data."""


@dataclass
class Seen:
    code: str
    changed: bool
    detail: str
    leaks_unsaid: bool = False


def ask(send: Callable[[], Any], before: str) -> Seen:
    """One request, rolled back afterwards so every request meets the world as it was made.

    ``before`` is that world's fingerprint, taken once: each request is undone, so it is the
    same for all of them (were an undo ever to leak, the next refused request would be reported
    as a change, never hidden). Only a refused request is fingerprinted afterwards, since only
    there a change is a fault; this keeps the matrix at a few seconds' worth of queries.
    """
    seen: Seen | None = None
    try:
        with transaction.atomic():
            response = send()
            code = str(response.status_code)
            if response.status_code == 302:
                location = urlsplit(response["Location"])
                if resolve(location.path).url_name == "login" and "next=" in location.query:
                    code = "L"
            changed = code in REFUSED and fingerprint() != before
            detail = response.content[:300].decode(errors="replace") if response.status_code >= 400 else ""
            seen = Seen(code, changed, detail, ANNA_UNSAID.encode() in response.content)
            raise _Undo
    except _Undo:
        pass
    assert seen is not None
    return seen


def check(route: str, method: str, expected: str, seen: dict[str, Seen], problems: list[str]) -> None:
    wanted = dict(zip(CALLERS, expected.split(), strict=True))
    for caller in CALLERS:
        got = seen[caller]
        if got.code != wanted[caller]:
            problems.append(f"{method} {route} as {caller}: {got.code}, expected {wanted[caller]} {got.detail!r}")
        elif got.code in REFUSED and got.changed:
            problems.append(f"{method} {route} as {caller}: refused ({got.code}) but the stored data changed")
        # The one exception: the access copy an admin makes for the person the unsaid is about
        # (GDPR Art. 15; docs/privacy.md), on a POST that is written to the audit log.
        hands_over = (route, method, caller) == ("privacy:export", "POST", "admin")
        if got.leaks_unsaid and caller != "seller" and not hands_over:
            problems.append(f"{method} {route} as {caller}: shows Anna's unsaid, which is hers alone")


@pytest.fixture
def world(personas: Personas, settings: Any) -> World:
    # New hashes are fast; Argon2 stays listed so the personas' passwords still verify (the
    # password change page asks for the current one).
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    return make_world(personas)


def page_clients(w: World) -> dict[str, Client]:
    clients = {}
    for caller in CALLERS:
        client = Client(raise_request_exception=False)
        user = w.user(caller)
        if user is not None:
            client.force_login(user)
        clients[caller] = client
    return clients


def test_every_route_has_an_expectation() -> None:
    """A new page or API operation must say who may use it before it ships."""
    covered = operation_url_names()
    missing = [name for name, _params in url_patterns() if name not in PAGES and name not in covered]
    missing += [f"api {op}" for op, _m, _p in api_operations() if op not in API]
    assert not missing, "\n".join(f"route {name} has no expectation: add one" for name in missing)
    stale = [n for n in PAGES if n not in {name for name, _ in url_patterns()}]
    stale += [op for op in API if op not in {op for op, _m, _p in api_operations()}]
    assert not stale, f"expectations for routes that no longer exist: {stale}"


@pytest.mark.slow
def test_every_page_answers_each_caller_as_the_table_says(world: World) -> None:
    covered = operation_url_names()
    problems: list[str] = []
    before = fingerprint()
    for name, params in url_patterns():
        if name in covered or name not in PAGES:
            continue
        url = reverse(name, kwargs=page_kwargs(name, params, world))
        clients = page_clients(world)  # afresh: logging out or switching language changes a client
        for method, expected in PAGES[name].items():
            seen = {}
            for caller in CALLERS:
                client = clients[caller]
                if method == "GET":
                    seen[caller] = ask(partial(client.get, url), before)
                else:
                    body = page_body(name, caller, world)
                    seen[caller] = ask(partial(client.post, url, body), before)
            check(name, method, expected, seen, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_every_api_operation_answers_each_caller_as_the_table_says(world: World) -> None:
    client = Client(raise_request_exception=False)
    problems: list[str] = []
    before = fingerprint()
    for op, method, template in api_operations():
        if op not in API:
            continue
        path = api_path(op, template, world)
        seen = {}
        for caller in CALLERS:
            headers = {"Authorization": f"Bearer {world.tokens[caller]}"} if caller in world.tokens else {}
            body = api_body(op, world)
            if isinstance(body, str):
                data, content_type = body, "text/vcard"
            else:
                data, content_type = (json.dumps(body) if body is not None else ""), "application/json"
            seen[caller] = ask(
                partial(client.generic, method, path, data=data, content_type=content_type, headers=headers), before
            )
        check(op, method, API[op], seen, problems)
    assert not problems, "\n".join(problems)
