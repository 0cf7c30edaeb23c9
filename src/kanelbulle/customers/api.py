"""Customers, contacts and their facts in the JSON API; the rules live in customers.actions."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any, Literal

import pycountry
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from kanelbulle.connectors.rest import (
    ApiProblem,
    Day,
    In,
    MoneyAtLeastZeroIn,
    MoneyIn,
    MoneyOut,
    Name,
    Page,
    Paging,
    ProblemsError,
    Ref,
    Username,
    actor_of,
    by_seller,
    by_team,
    claim_ref,
    expected_version,
    find,
    find_user,
    money_out,
    paginate,
    seller_filter,
    set_etag,
    stamp_out,
    team_filter,
    text,
)
from kanelbulle.core.access import get_visible, require_edit, scope
from kanelbulle.core.problems import NOT_NULL, say
from kanelbulle.customers import actions
from kanelbulle.customers.models import Contact, Customer, Fact

router = Router(tags=["customers"])

Day3 = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Clock = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Potential = Literal["unknown", "low", "medium", "high"]
LawfulBasis = Literal["legitimate_interest", "consent", "contract"]
FactKind = Literal["pet", "family", "interest", "preference", "dislike", "date", "other"]
FactSource = Literal["contact", "colleague", "public", "staff", "import"]


def _country(value: str) -> str:
    if pycountry.countries.get(alpha_2=value) is None:
        raise ValueError(f"{value!r} is not an ISO 3166 country code such as SE")
    return value


def _zone(value: str) -> str:
    if value not in zoneinfo.available_timezones():
        raise ValueError(f"{value!r} is not a time zone such as Europe/Stockholm")
    return value


ZONE_AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian",
              "Pacific")  # fmt: skip


def canonical_zones() -> list[str]:
    """The IANA zones named Area/Location, and UTC: what the schema offers (the API also takes
    the old aliases such as US/Eastern, which generated clients cannot tell apart as names)."""
    return ["UTC", *sorted(z for z in zoneinfo.available_timezones() if z.split("/")[0] in ZONE_AREAS)]


# The enums are what the validators accept, so a client generated from the schema sends valid codes.
Country = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    AfterValidator(_country),
    WithJsonSchema({"type": "string", "enum": sorted(c.alpha_2 for c in pycountry.countries),
                    "description": "ISO 3166-1 alpha-2, e.g. SE"}),
]  # fmt: skip
TimeZone = Annotated[
    str,
    StringConstraints(max_length=64),
    AfterValidator(_zone),
    WithJsonSchema({"type": "string", "enum": canonical_zones(),
                    "description": "an IANA time zone, e.g. Europe/Stockholm"}),
]  # fmt: skip
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]


class GiftPolicy(In):
    accepts_gifts: bool | None = None
    max_value: MoneyAtLeastZeroIn | None = None


class GiftPolicyOut(Schema):
    accepts_gifts: bool | None
    max_value: MoneyOut | None


class CustomerFields(In):
    name: Name
    org_number: text(32) = Field("", description="the company's registration number, e.g. 556677-8899")  # type: ignore[valid-type]
    country: Country
    city: text(120, 1)  # type: ignore[valid-type]
    lat: Lat | None = None
    lon: Lon | None = None
    time_zone: TimeZone | None = None
    owner: Username | None = Field(None, description="username of the seller; left out: the caller")
    potential: Potential = "unknown"
    public_sector: bool = False
    visit_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = 60
    opening_hours: dict[Day3, list[tuple[Clock, Clock]]] | None = None
    gift_policy: GiftPolicy | None = None
    tender_open_until: Day | None = None


class CustomerCreate(CustomerFields):
    ref: Ref | None = Field(None, description="left out: one is made (c-7kq2m9)")


class CustomerPut(CustomerFields):
    version: int | None = Field(None, description="the version you read (or send If-Match)")


class CustomerPatch(In):
    name: Name | None = None
    org_number: text(32) | None = None  # type: ignore[valid-type]
    country: Country | None = None
    city: text(120, 1) | None = None  # type: ignore[valid-type]
    lat: Lat | None = None
    lon: Lon | None = None
    time_zone: TimeZone | None = None
    owner: Username | None = None
    potential: Potential | None = None
    public_sector: bool | None = None
    visit_minutes: Annotated[int, Field(ge=5, le=24 * 60)] | None = None
    opening_hours: dict[Day3, list[tuple[Clock, Clock]]] | None = None
    gift_policy: GiftPolicy | None = None
    tender_open_until: Day | None = None
    version: int | None = None


class CustomerOut(Schema):
    ref: str
    name: str
    org_number: str
    country: str
    city: str
    lat: float
    lon: float
    time_zone: str
    owner: str
    potential: str
    public_sector: bool
    visit_minutes: int
    opening_hours: dict[str, list[list[str]]] | None
    gift_policy: GiftPolicyOut | None
    tender_open_until: str | None
    version: int
    created_at: str
    updated_at: str


SpecialException = Literal["explicit_consent", "made_public"]


class FactIn(In):
    kind: FactKind
    text: text(500, 1)  # type: ignore[valid-type]
    source: FactSource = "contact"
    learned: Day | None = None
    exception: SpecialException | None = Field(
        None,
        description="for a fact revealing a special category (GDPR Art. 9): the documented exception "
        "under which it is kept; without one such a fact is refused (422 at `text`)",
    )
    exception_note: text(300) = ""  # type: ignore[valid-type]


class FactOut(Schema):
    id: int
    kind: str
    text: str
    source: str
    learned: str


class ContactFields(In):
    name: Name
    title: text(200) = ""  # type: ignore[valid-type]
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    phone: text(40) = ""  # type: ignore[valid-type]
    lawful_basis: LawfulBasis
    source: text(300) = ""  # type: ignore[valid-type]


class ContactCreate(ContactFields):
    ref: Ref | None = None
    customer: Ref
    facts: list[FactIn] = Field(default_factory=list, max_length=100)


class ContactPut(ContactFields):
    version: int | None = None


class ContactPatch(In):
    name: Name | None = None
    title: text(200) | None = None  # type: ignore[valid-type]
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    phone: text(40) | None = None  # type: ignore[valid-type]
    lawful_basis: LawfulBasis | None = None
    source: text(300) | None = None  # type: ignore[valid-type]
    version: int | None = None


class ContactOut(Schema):
    ref: str
    customer: str
    name: str
    title: str
    email: str
    phone: str
    lawful_basis: str
    source: str
    facts: list[FactOut]
    version: int
    created_at: str
    updated_at: str


# -- rendering --------------------------------------------------------------------------------


def render_customer(c: Customer) -> dict[str, Any]:
    policy = None
    if c.accepts_gifts is not None or c.gift_max_amount is not None:
        policy = {"accepts_gifts": c.accepts_gifts, "max_value": money_out(c.gift_max)}
    return {
        "ref": c.ref, "name": c.name, "org_number": c.org_number, "country": c.country, "city": c.city,
        "lat": c.lat, "lon": c.lon,
        "time_zone": c.time_zone, "owner": c.owner.username, "potential": c.potential,
        "public_sector": c.public_sector, "visit_minutes": c.visit_minutes, "opening_hours": c.opening_hours,
        "gift_policy": policy,
        "tender_open_until": c.tender_open_until.isoformat() if c.tender_open_until else None,
        "version": c.version, "created_at": stamp_out(c.created_at), "updated_at": stamp_out(c.updated_at),
    }  # fmt: skip


def render_fact(f: Fact) -> dict[str, Any]:
    return {"id": f.pk, "kind": f.kind, "text": f.text, "source": f.source, "learned": f.learned.isoformat()}


def render_contact(p: Contact) -> dict[str, Any]:
    return {
        "ref": p.ref, "customer": p.customer.ref, "name": p.name, "title": p.title, "email": p.email,
        "phone": p.phone, "lawful_basis": p.lawful_basis, "source": p.source,
        "facts": [render_fact(f) for f in p.facts.all()],
        "version": p.version, "created_at": stamp_out(p.created_at), "updated_at": stamp_out(p.updated_at),
    }  # fmt: skip


# -- customers --------------------------------------------------------------------------------


def _customer_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Exchange-format names to the action's field names."""
    fields = {k: v for k, v in data.items() if k not in {"ref", "version"}}
    if "owner" in fields:
        owner = fields.pop("owner")
        if owner is not None:
            fields["owner"] = find_user(owner, path="owner")
    if "gift_policy" in fields:
        policy = fields.pop("gift_policy") or {}
        fields["accepts_gifts"] = policy.get("accepts_gifts")
        max_value = policy.get("max_value")
        money = MoneyIn(**max_value).money() if max_value else None
        fields["gift_max_amount"] = money.amount if money else None
        fields["gift_max_currency"] = money.currency if money else ""
    if fields.get("opening_hours") is not None:
        fields["opening_hours"] = {d: [list(span) for span in spans] for d, spans in fields["opening_hours"].items()}
    for derived in ("lat", "lon", "time_zone"):
        if derived in fields and fields[derived] is None:
            del fields[derived]
    return fields


def _customers(request: HttpRequest) -> Any:
    return scope(actor_of(request), Customer.objects.select_related("owner"))


def _customer(request: HttpRequest, ref: str) -> Customer:
    return get_visible(actor_of(request), Customer.objects.select_related("owner"), ref=ref)


class CustomerFilter(Paging):
    owner: str | None = seller_filter("the owning seller")
    team: str | None = team_filter()
    country: str | None = Field(None, max_length=2)
    potential: Potential | None = None
    q: str | None = Field(None, max_length=200, description="part of the name or city")


@router.get("/customers", response=Page[CustomerOut])
def list_customers(request: HttpRequest, filters: Query[CustomerFilter]) -> Any:
    """The customers the caller may see."""
    actor = actor_of(request)
    qs = by_seller(actor, _customers(request), filters.owner, path="owner", field="owner")
    qs = by_team(actor, qs, filters.team, customer_path="")
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.potential:
        qs = qs.filter(potential=filters.potential)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(city__icontains=filters.q))
    return paginate(qs, filters, render_customer)


@router.post("/customers", response={201: CustomerOut})
def create_customer(request: HttpRequest, payload: CustomerCreate, response: HttpResponse) -> Any:
    data = payload.dict(exclude_unset=True)
    ref = data.get("ref")
    claim_ref(actor_of(request), Customer, ref, "customer")
    customer = actions.customer_create(actor_of(request), ref=ref, **_customer_fields(data))
    set_etag(response, customer)
    response["Location"] = f"/api/v1/customers/{customer.ref}"
    return Status(201, render_customer(customer))


@router.get("/customers/{ref}", response=CustomerOut)
def get_customer(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    customer = _customer(request, ref)
    set_etag(response, customer)
    return render_customer(customer)


def _update_customer(request: HttpRequest, ref: str, data: dict[str, Any], response: HttpResponse) -> Any:
    actor = actor_of(request)
    customer = _customer(request, ref)
    require_edit(actor, customer)
    version = expected_version(request, data.get("version"))
    updated = actions.customer_update(actor, customer, version=version, **_customer_fields(data))
    set_etag(response, updated)
    return render_customer(Customer.objects.select_related("owner").get(pk=updated.pk))


@router.put("/customers/{ref}", response=CustomerOut)
def replace_customer(request: HttpRequest, ref: str, payload: CustomerPut, response: HttpResponse) -> Any:
    """Replace every field; fields left out take their defaults (lat/lon/time_zone: from the place)."""
    data = payload.dict()
    data.setdefault("gift_policy", None)
    if "owner" in data and data["owner"] is None:
        del data["owner"]
    return _update_customer(request, ref, data, response)


@router.patch("/customers/{ref}", response=CustomerOut)
def patch_customer(request: HttpRequest, ref: str, payload: CustomerPatch, response: HttpResponse) -> Any:
    """Change only the fields sent."""
    data = payload.dict(exclude_unset=True)
    for required in ("name", "country", "city", "owner", "potential", "public_sector", "visit_minutes"):
        if required in data and data[required] is None:
            raise ApiProblem(422, required, say(NOT_NULL))
    return _update_customer(request, ref, data, response)


@router.delete("/customers/{ref}", response={204: None})
def delete_customer(request: HttpRequest, ref: str) -> Any:
    actor = actor_of(request)
    customer = _customer(request, ref)
    require_edit(actor, customer)
    from kanelbulle.core.actions import check_version

    check_version(customer, expected_version(request, None, required=False))
    actions.customer_delete(actor, customer)
    return Status(204, None)


# -- contacts ---------------------------------------------------------------------------------


def _contacts(request: HttpRequest) -> Any:
    return scope(
        actor_of(request),
        Contact.objects.select_related("customer").prefetch_related("facts"),
        "customer__",
    )


def _contact(request: HttpRequest, ref: str) -> Contact:
    return get_visible(
        actor_of(request),
        Contact.objects.select_related("customer", "customer__owner").prefetch_related("facts"),
        "customer__",
        ref=ref,
    )


class ContactFilter(Paging):
    customer: str | None = Field(None, max_length=64, description="ref of the customer")
    email: str | None = Field(None, max_length=254)
    owner: str | None = seller_filter("the seller who owns the contact's customer")
    team: str | None = team_filter()


@router.get("/contacts", response=Page[ContactOut])
def list_contacts(request: HttpRequest, filters: Query[ContactFilter]) -> Any:
    actor = actor_of(request)
    qs = by_seller(actor, _contacts(request), filters.owner, path="owner", field="customer__owner")
    qs = by_team(actor, qs, filters.team, customer_path="customer__")
    if filters.customer:
        qs = qs.filter(customer__ref=filters.customer)
    if filters.email:
        qs = qs.filter(email__iexact=filters.email)
    return paginate(qs, filters, render_contact)


@router.post("/contacts", response={201: ContactOut})
def create_contact(request: HttpRequest, payload: ContactCreate, response: HttpResponse) -> Any:
    """A person at a customer, with any facts already known about them (in one transaction)."""
    from django.db import transaction

    actor = actor_of(request)
    data = payload.dict(exclude_unset=True)
    customer = find(actor, Customer.objects.all(), data.pop("customer"), path="customer")
    claim_ref(actor, Contact, data.get("ref"), "contact")
    facts = data.pop("facts", [])
    with transaction.atomic():
        contact = actions.contact_create(actor, customer, **data)
        for j, fact in enumerate(facts):
            try:
                actions.fact_add(actor, contact, **fact)
            except DjangoValidationError as exc:
                raise ProblemsError(
                    [(f"facts[{j}].{field}", str(m)) for field, ms in exc.message_dict.items() for m in ms]
                ) from None
    set_etag(response, contact)
    response["Location"] = f"/api/v1/contacts/{contact.ref}"
    return Status(201, render_contact(_contact(request, contact.ref)))


@router.get("/contacts/{ref}", response=ContactOut)
def get_contact(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    contact = _contact(request, ref)
    set_etag(response, contact)
    return render_contact(contact)


def _update_contact(request: HttpRequest, ref: str, data: dict[str, Any], response: HttpResponse) -> Any:
    actor = actor_of(request)
    contact = _contact(request, ref)
    require_edit(actor, contact.customer)
    version = expected_version(request, data.pop("version", None))
    updated = actions.contact_update(actor, contact, version=version, **data)
    set_etag(response, updated)
    return render_contact(_contact(request, updated.ref))


@router.put("/contacts/{ref}", response=ContactOut)
def replace_contact(request: HttpRequest, ref: str, payload: ContactPut, response: HttpResponse) -> Any:
    return _update_contact(request, ref, payload.dict(), response)


@router.patch("/contacts/{ref}", response=ContactOut)
def patch_contact(request: HttpRequest, ref: str, payload: ContactPatch, response: HttpResponse) -> Any:
    data = payload.dict(exclude_unset=True)
    for name in list(data):
        if data[name] is None and name != "version":
            raise ApiProblem(422, name, say(NOT_NULL))
    return _update_contact(request, ref, data, response)


@router.delete("/contacts/{ref}", response={204: None})
def delete_contact(request: HttpRequest, ref: str) -> Any:
    actor = actor_of(request)
    contact = _contact(request, ref)
    require_edit(actor, contact.customer)
    from kanelbulle.core.actions import check_version

    check_version(contact, expected_version(request, None, required=False))
    actions.contact_delete(actor, contact)
    return Status(204, None)


@router.post("/contacts/{ref}/facts", response={201: FactOut})
def add_fact(request: HttpRequest, ref: str, payload: FactIn) -> Any:
    """Add a human detail about a person ("Two schnauzers: Max and Moritz")."""
    fact = actions.fact_add(actor_of(request), _contact(request, ref), **payload.dict(exclude_unset=True))
    return Status(201, render_fact(fact))


@router.delete("/contacts/{ref}/facts/{fact_id}", response={204: None})
def delete_fact(request: HttpRequest, ref: str, fact_id: int) -> Any:
    contact = _contact(request, ref)
    fact = contact.facts.filter(pk=fact_id).first()
    if fact is None:
        from kanelbulle.core.access import NotVisible

        raise NotVisible(f"fact {fact_id}")
    actions.fact_delete(actor_of(request), fact)
    return Status(204, None)


# -- vCard ------------------------------------------------------------------------------------


@router.get("/customers/{ref}/contacts.vcf", response={200: None}, tags=["connectors"])
def export_vcard(
    request: HttpRequest,
    ref: str,
    version: Literal["3.0", "4.0"] = Query("3.0"),  # type: ignore[type-arg]
) -> HttpResponse:
    """The customer's contacts as vCards (3.0 by default; `?version=4.0`)."""
    from kanelbulle.connectors.vcard import export_vcards

    customer = _customer(request, ref)
    body = export_vcards(customer, version=version)
    response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{customer.ref}-contacts.vcf"'
    return response


@router.post("/customers/{ref}/contacts.vcf", response={200: dict[str, Any]}, tags=["connectors"])
def import_vcard_route(request: HttpRequest, ref: str) -> Any:
    """Import the vCards in the request body (text/vcard) as the customer's contacts.

    Matches by UID (our ref), then e-mail; all or nothing: any problem stores nothing (422).
    """
    from kanelbulle.connectors.vcard import import_vcard_text

    actor = actor_of(request)
    customer = _customer(request, ref)
    require_edit(actor, customer)
    try:
        body = request.body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiProblem(400, "body", gettext("the vCard file must be UTF-8")) from None
    report = import_vcard_text(body, customer, actor=actor)
    if report.problems:
        raise ProblemsError(report.problems)
    return report.summary()
