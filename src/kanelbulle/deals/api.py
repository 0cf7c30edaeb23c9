"""Deals and orders in the JSON API; the rules live in deals.actions."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from kanelbulle.connectors.rest import (
    ApiProblem,
    Day,
    In,
    MoneyIn,
    MoneyOut,
    Page,
    Paging,
    Pct,
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
    pct_in,
    pct_out,
    seller_filter,
    set_etag,
    stamp_out,
    team_filter,
    text,
)
from kanelbulle.core.access import get_visible, require_edit, scope
from kanelbulle.core.actions import check_version
from kanelbulle.core.problems import NOT_NULL, say
from kanelbulle.customers.models import Customer
from kanelbulle.deals import actions
from kanelbulle.deals.models import Deal, Order

router = Router(tags=["deals"])

Stage = Literal["open", "won", "lost"]


class DealFields(In):
    title: text(200, 1)  # type: ignore[valid-type]
    value: MoneyIn
    margin_pct: Pct | None = None
    probability_pct: Pct | None = Field(None, description="the seller's estimate, 0-100, for open deals")
    stage: Stage = "open"
    created: Day | None = Field(None, description="left out: today")
    closed: Day | None = Field(None, description="left out when won or lost: today")


class DealCreate(DealFields):
    ref: Ref | None = None
    customer: Ref
    user: Username | None = Field(None, description="username of the seller; left out: the caller")


class DealPut(DealFields):
    version: int | None = None


class DealPatch(In):
    title: text(200, 1) | None = None  # type: ignore[valid-type]
    value: MoneyIn | None = None
    margin_pct: Pct | None = None
    probability_pct: Pct | None = None
    stage: Stage | None = None
    created: Day | None = None
    closed: Day | None = None
    version: int | None = None


class DealOut(Schema):
    ref: str
    customer: str
    user: str
    title: str
    value: MoneyOut
    margin_pct: str | None
    probability_pct: str | None
    stage: str
    created: str
    closed: str | None
    version: int
    created_at: str
    updated_at: str


def render_deal(d: Deal) -> dict[str, Any]:
    return {
        "ref": d.ref, "customer": d.customer.ref, "user": d.user.username, "title": d.title,
        "value": money_out(d.value), "margin_pct": pct_out(d.margin_pct),
        "probability_pct": pct_out(d.probability_pct), "stage": d.stage, "created": d.created.isoformat(),
        "closed": d.closed.isoformat() if d.closed else None,
        "version": d.version, "created_at": stamp_out(d.created_at), "updated_at": stamp_out(d.updated_at),
    }  # fmt: skip


def _deal_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k not in {"version", "ref", "customer", "user"}}
    if fields.get("value") is not None:
        fields["value"] = MoneyIn(**fields["value"]).money()
    for name in ("margin_pct", "probability_pct"):
        if name in fields:
            fields[name] = pct_in(fields[name])
    probability = fields.get("probability_pct")
    if probability is not None and not 0 <= probability <= 100:
        raise ApiProblem(422, "probability_pct", gettext("must be between 0 and 100"))
    return fields


def _deal_rows() -> Any:
    return Deal.objects.select_related("customer", "customer__owner", "user")


def _deal(request: HttpRequest, ref: str) -> Deal:
    found: Deal = get_visible(actor_of(request), _deal_rows(), "customer__", ref=ref)
    return found


class DealFilter(Paging):
    customer: str | None = Field(None, max_length=64, description="ref of the customer")
    user: str | None = seller_filter("the deal's seller")
    team: str | None = team_filter()
    stage: Stage | None = None


@router.get("/deals", response=Page[DealOut])
def list_deals(request: HttpRequest, filters: Query[DealFilter]) -> Any:
    actor = actor_of(request)
    qs = by_seller(actor, scope(actor, _deal_rows(), "customer__"), filters.user, path="user", field="user")
    qs = by_team(actor, qs, filters.team, customer_path="customer__")
    if filters.customer:
        qs = qs.filter(customer__ref=filters.customer)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    return paginate(qs, filters, render_deal)


@router.post("/deals", response={201: DealOut})
def create_deal(request: HttpRequest, payload: DealCreate, response: HttpResponse) -> Any:
    actor = actor_of(request)
    data = payload.dict(exclude_unset=True)
    customer = find(actor, Customer.objects.select_related("owner"), data["customer"], path="customer")
    seller = find_user(data["user"], path="user") if data.get("user") else None
    claim_ref(actor, Deal, data.get("ref"), "deal")
    fields = _deal_fields(data)
    if fields.get("created") is None:
        fields.pop("created", None)
    deal = actions.deal_create(actor, customer, seller=seller, ref=data.get("ref"), **fields)
    set_etag(response, deal)
    response["Location"] = f"/api/v1/deals/{deal.ref}"
    return Status(201, render_deal(_deal(request, deal.ref)))


@router.get("/deals/{ref}", response=DealOut)
def get_deal(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    deal = _deal(request, ref)
    set_etag(response, deal)
    return render_deal(deal)


def _update_deal(request: HttpRequest, ref: str, data: dict[str, Any], response: HttpResponse) -> Any:
    actor = actor_of(request)
    deal = _deal(request, ref)
    require_edit(actor, deal.customer)
    version = expected_version(request, data.get("version"))
    fields = _deal_fields(data)
    if "created" in fields and fields["created"] is None:
        del fields["created"]
    updated = actions.deal_update(actor, deal, version=version, **fields)
    set_etag(response, updated)
    return render_deal(_deal(request, updated.ref))


@router.put("/deals/{ref}", response=DealOut)
def replace_deal(request: HttpRequest, ref: str, payload: DealPut, response: HttpResponse) -> Any:
    return _update_deal(request, ref, payload.dict(), response)


@router.patch("/deals/{ref}", response=DealOut)
def patch_deal(request: HttpRequest, ref: str, payload: DealPatch, response: HttpResponse) -> Any:
    data = payload.dict(exclude_unset=True)
    for name in ("title", "value", "stage", "created"):
        if name in data and data[name] is None:
            raise ApiProblem(422, name, say(NOT_NULL))
    return _update_deal(request, ref, data, response)


@router.delete("/deals/{ref}", response={204: None})
def delete_deal(request: HttpRequest, ref: str) -> Any:
    actor = actor_of(request)
    deal = _deal(request, ref)
    require_edit(actor, deal.customer)
    check_version(deal, expected_version(request, None, required=False))
    actions.deal_delete(actor, deal)
    return Status(204, None)


# -- orders -----------------------------------------------------------------------------------


class OrderFields(In):
    date: Day
    value: MoneyIn
    margin_pct: Pct | None = None


class OrderCreate(OrderFields):
    ref: Ref | None = None
    customer: Ref


class OrderPut(OrderFields):
    version: int | None = None


class OrderPatch(In):
    date: Day | None = None
    value: MoneyIn | None = None
    margin_pct: Pct | None = None
    version: int | None = None


class OrderOut(Schema):
    ref: str
    customer: str
    date: str
    value: MoneyOut
    margin_pct: str | None
    version: int
    created_at: str
    updated_at: str


def render_order(o: Order) -> dict[str, Any]:
    return {
        "ref": o.ref, "customer": o.customer.ref, "date": o.date.isoformat(), "value": money_out(o.value),
        "margin_pct": pct_out(o.margin_pct),
        "version": o.version, "created_at": stamp_out(o.created_at), "updated_at": stamp_out(o.updated_at),
    }  # fmt: skip


def _order_rows() -> Any:
    return Order.objects.select_related("customer", "customer__owner")


def _order(request: HttpRequest, ref: str) -> Order:
    found: Order = get_visible(actor_of(request), _order_rows(), "customer__", ref=ref)
    return found


class OrderFilter(Paging):
    customer: str | None = Field(None, max_length=64, description="ref of the customer")
    owner: str | None = seller_filter("the seller who owns the order's customer")
    team: str | None = team_filter()
    date_from: Day | None = None
    date_to: Day | None = None


@router.get("/orders", response=Page[OrderOut], tags=["orders"])
def list_orders(request: HttpRequest, filters: Query[OrderFilter]) -> Any:
    actor = actor_of(request)
    qs = scope(actor, _order_rows(), "customer__")
    qs = by_seller(actor, qs, filters.owner, path="owner", field="customer__owner")
    qs = by_team(actor, qs, filters.team, customer_path="customer__")
    if filters.customer:
        qs = qs.filter(customer__ref=filters.customer)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return paginate(qs, filters, render_order)


@router.post("/orders", response={201: OrderOut}, tags=["orders"])
def create_order(request: HttpRequest, payload: OrderCreate, response: HttpResponse) -> Any:
    actor = actor_of(request)
    customer = find(actor, Customer.objects.select_related("owner"), payload.customer, path="customer")
    claim_ref(actor, Order, payload.ref, "order")
    order = actions.order_create(
        actor, customer, ref=payload.ref, date=payload.date, value=payload.value.money(),
        margin_pct=pct_in(payload.margin_pct),
    )  # fmt: skip
    set_etag(response, order)
    response["Location"] = f"/api/v1/orders/{order.ref}"
    return Status(201, render_order(_order(request, order.ref)))


@router.get("/orders/{ref}", response=OrderOut, tags=["orders"])
def get_order(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    order = _order(request, ref)
    set_etag(response, order)
    return render_order(order)


def _update_order(request: HttpRequest, ref: str, data: dict[str, Any], response: HttpResponse) -> Any:
    actor = actor_of(request)
    order = _order(request, ref)
    require_edit(actor, order.customer)
    version = expected_version(request, data.get("version"))
    fields = _deal_fields(data)
    updated = actions.order_update(actor, order, version=version, **fields)
    set_etag(response, updated)
    return render_order(_order(request, updated.ref))


@router.put("/orders/{ref}", response=OrderOut, tags=["orders"])
def replace_order(request: HttpRequest, ref: str, payload: OrderPut, response: HttpResponse) -> Any:
    return _update_order(request, ref, payload.dict(), response)


@router.patch("/orders/{ref}", response=OrderOut, tags=["orders"])
def patch_order(request: HttpRequest, ref: str, payload: OrderPatch, response: HttpResponse) -> Any:
    data = payload.dict(exclude_unset=True)
    for name in ("date", "value"):
        if name in data and data[name] is None:
            raise ApiProblem(422, name, say(NOT_NULL))
    return _update_order(request, ref, data, response)


@router.delete("/orders/{ref}", response={204: None}, tags=["orders"])
def delete_order(request: HttpRequest, ref: str) -> Any:
    actor = actor_of(request)
    order = _order(request, ref)
    require_edit(actor, order.customer)
    check_version(order, expected_version(request, None, required=False))
    actions.order_delete(actor, order)
    return Status(204, None)
