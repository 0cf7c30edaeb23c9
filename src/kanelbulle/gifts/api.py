"""The gift register and the gift check in the JSON API (mounted under /api/v1/ by kanelbulle.api).

Sellers see the gifts of their team's customers, managers their team's, admins all; a gift the
caller may not see answers 404. A gift is never deleted: ``DELETE`` answers 405, ``void`` keeps it.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from kanelbulle.connectors.rest import (
    ApiProblem,
    Day,
    In,
    MoneyAtLeastZeroIn,
    MoneyOut,
    Page,
    Paging,
    ProblemsError,
    Ref,
    by_seller,
    by_team,
    claim_ref,
    errors,
    paginate,
    seller_filter,
    set_etag,
    stamp_out,
    team_filter,
    text,
)
from kanelbulle.core.access import NotVisible, no_such
from kanelbulle.core.words import shown
from kanelbulle.gifts import actions
from kanelbulle.gifts.etiquette import shown as advice_shown
from kanelbulle.gifts.models import Gift

router = Router(tags=["gifts"])

Direction = Literal["given", "received"]
Category = Literal["food", "object", "hospitality", "event", "travel", "cash_equivalent"]


class Finding(Schema):
    code: str
    message: str


class CheckOut(Schema):
    verdict: Literal["ok", "ask", "no"]
    reasons: list[Finding]
    etiquette: list[Finding]


class GiftIn(In):
    customer: Ref
    contact: Ref | None = None
    direction: Direction = "given"
    date: Day | None = Field(None, description="left out: today")
    description: text(300, 1)  # type: ignore[valid-type]
    category: Category = "object"
    value: MoneyAtLeastZeroIn
    occasion: text(100) = ""  # type: ignore[valid-type]


class GiftCreate(GiftIn):
    ref: Ref | None = Field(None, description="left out: one is made (g-7kq2m9)")


class GiftPatch(In):
    contact: Ref | None = None
    direction: Direction | None = None
    date: Day | None = None
    description: text(300, 1) | None = None  # type: ignore[valid-type]
    category: Category | None = None
    value: MoneyAtLeastZeroIn | None = None
    occasion: text(100) | None = None  # type: ignore[valid-type]
    version: int | None = None


class VoidIn(In):
    reason: text(300, 1)  # type: ignore[valid-type]


class ApproveIn(In):
    note: text(300) = ""  # type: ignore[valid-type]


class ChangeOut(Schema):
    at: str
    actor: str
    action: str
    changes: dict[str, Any]
    note: str


class GiftOut(Schema):
    ref: str
    direction: str
    customer: str
    contact: str | None
    user: str
    date: str
    description: str
    category: str
    value: MoneyOut
    value_company: MoneyOut | None
    occasion: str
    verdict: str
    reasons: list[Finding]
    etiquette: list[Finding]
    status: Literal["recorded", "pending", "approved", "voided"]
    policy_version: int | None
    approved_by: str | None
    approved_at: str | None
    voided_at: str | None
    voided_by: str | None
    void_reason: str
    recorded_by: str | None
    version: int
    created_at: str
    updated_at: str
    history: list[ChangeOut] | None = None


class GiftFilter(Paging):
    customer: Ref | None = Field(None, description="ref of the customer")
    user: str | None = seller_filter("the seller who gave or received the gift (as the register's seller filter)")
    team: str | None = team_filter()
    direction: Direction | None = None
    date_from: Day | None = Field(None, alias="from", description="on or after this date")
    date_to: Day | None = Field(None, alias="to", description="on or before this date")
    status: Literal["recorded", "pending", "approved", "voided"] | None = None


def _who(user: Any) -> str | None:
    return None if user is None else str(user.username)


def render(gift: Gift, *, history: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": gift.ref,
        "direction": gift.direction,
        "customer": gift.customer.ref,
        "contact": gift.contact.ref if gift.contact else None,
        "user": gift.user.username,
        "date": gift.date.isoformat(),
        "description": gift.description,
        "category": gift.category,
        "value": {"amount": f"{gift.value_amount:.2f}", "currency": gift.value_currency},
        "value_company": (
            {"amount": f"{gift.value_company_amount:.2f}", "currency": gift.value_company_currency}
            if gift.value_company_amount is not None
            else None
        ),
        "occasion": gift.occasion,
        "verdict": gift.verdict,
        # Written in the caller's language from the stored words (core.words), not as first checked.
        "reasons": [{"code": r.get("code", ""), "message": shown(r)} for r in gift.reasons or []],
        "etiquette": [{"code": e.get("code", ""), "message": advice_shown(e)} for e in gift.etiquette or []],
        "status": gift.status,
        "policy_version": gift.policy.version if gift.policy else None,
        "approved_by": _who(gift.approved_by) if gift.approved_at else None,
        "approved_at": stamp_out(gift.approved_at),
        "voided_at": stamp_out(gift.voided_at),
        "voided_by": _who(gift.voided_by) if gift.voided_at else None,
        "void_reason": gift.void_reason,
        "recorded_by": _who(gift.recorded_by),
        "version": gift.version,
        "created_at": stamp_out(gift.created_at),
        "updated_at": stamp_out(gift.updated_at),
    }
    if history:
        out["history"] = [
            {
                "at": stamp_out(c.at),
                "actor": c.actor.username if c.actor else c.actor_label,
                "action": c.action,
                "changes": c.changes,
                "note": c.note,
            }
            for c in gift.changes.select_related("actor")
        ]
    return out


def _actor(request: HttpRequest) -> Any:
    return request.user


def _input(request: HttpRequest, body: GiftIn) -> actions.GiftInput:
    try:
        return actions.parse_input(
            _actor(request),
            customer=body.customer,
            contact=body.contact,
            amount=body.value.amount,
            currency=body.value.currency,
            description=body.description,
            category=body.category,
            date=body.date,
            direction=body.direction,
            occasion=body.occasion,
        )
    except actions.GiftError as exc:
        raise ProblemsError(exc.problems) from None


def _get(request: HttpRequest, ref: str) -> Gift:
    try:
        return actions.get_gift(_actor(request), ref)
    except NotVisible:
        raise ApiProblem(404, "ref", no_such(Gift, ref)) from None


def _refused(request: HttpRequest, exc: actions.GiftRefused) -> HttpResponse:
    from kanelbulle.api import api

    body: dict[str, Any] = errors(*[("", f"{r.code}: {r.message}") for r in exc.check.reasons])
    body.update(exc.check.to_json())
    return api.create_response(request, body, status=422)


@router.post("/gifts/check", response=CheckOut)
def check_gift(request: HttpRequest, body: GiftIn) -> Any:
    """The gift check, as `kanelbulle gift-check`: nothing is stored."""
    data = _input(request, body)
    try:
        return actions.check(data).to_json()
    except actions.GiftError as exc:
        raise ProblemsError(exc.problems) from None


@router.get("/gifts", response=Page[GiftOut])
def list_gifts(request: HttpRequest, filters: Query[GiftFilter]) -> Any:
    actor = _actor(request)
    qs = by_seller(actor, actions.visible_gifts(actor), filters.user, path="user", field="user")
    qs = by_team(actor, qs, filters.team, customer_path="customer__").order_by("-date", "ref")
    if filters.customer:
        qs = qs.filter(customer__ref=filters.customer)
    if filters.direction:
        qs = qs.filter(direction=filters.direction)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.status == "voided":
        qs = qs.exclude(voided_at=None)
    elif filters.status == "pending":
        qs = qs.filter(voided_at=None, verdict="ask", approved_at=None)
    elif filters.status == "approved":
        qs = qs.filter(voided_at=None, verdict="ask").exclude(approved_at=None)
    elif filters.status == "recorded":
        qs = qs.filter(voided_at=None).exclude(verdict="ask")
    return paginate(qs, filters, render)


@router.post("/gifts", response={201: GiftOut})
def create_gift(request: HttpRequest, body: GiftCreate, response: HttpResponse) -> Any:
    """Record a gift; it is checked first. `no` (for a gift we give) is refused with 422 and the
    reasons (there is no override); `ask` is stored pending a manager's approval."""
    data = _input(request, body)
    claim_ref(_actor(request), Gift, body.ref, "gift")
    try:
        gift, _check = actions.record_gift(_actor(request), data, ref=body.ref)
    except actions.GiftRefused as exc:
        return _refused(request, exc)
    except actions.GiftError as exc:
        raise ProblemsError(exc.problems) from None
    set_etag(response, gift)
    response["Location"] = f"/api/v1/gifts/{gift.ref}"
    return Status(201, render(actions.get_gift(_actor(request), gift.ref), history=True))


@router.get("/gifts/{ref}", response=GiftOut)
def get_gift(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    gift = _get(request, ref)
    set_etag(response, gift)
    return render(gift, history=True)


@router.patch("/gifts/{ref}", response=GiftOut)
def patch_gift(request: HttpRequest, ref: str, body: GiftPatch) -> Any:
    """Change a gift (checked again; a changed value or verdict needs a new approval)."""
    gift = _get(request, ref)
    fields: dict[str, Any] = {}
    for name in ("contact", "direction", "description", "category", "occasion"):
        if name in body.model_fields_set:
            fields[name] = getattr(body, name)
    if "date" in body.model_fields_set and body.date is not None:
        fields["date"] = body.date.isoformat()
    if body.value is not None:
        fields["amount"], fields["currency"] = body.value.amount, body.value.currency
    try:
        actions.update_gift(_actor(request), gift, version=body.version, **fields)
    except actions.GiftRefused as exc:
        return _refused(request, exc)
    except actions.GiftError as exc:
        raise ProblemsError(exc.problems) from None
    except actions.GiftStateError as exc:
        raise ApiProblem(409, "", str(exc)) from None
    return render(actions.get_gift(_actor(request), ref), history=True)


@router.post("/gifts/{ref}/approve", response=GiftOut)
def approve_gift(request: HttpRequest, ref: str, body: ApproveIn | None = None) -> Any:
    """A manager of the customer's team (or an admin) approves an `ask` gift; it is recorded."""
    gift = _get(request, ref)
    try:
        actions.approve_gift(_actor(request), gift, note=body.note if body else "")
    except actions.GiftStateError as exc:
        raise ApiProblem(409, "", str(exc)) from None
    return render(actions.get_gift(_actor(request), ref), history=True)


@router.post("/gifts/{ref}/void", response=GiftOut)
def void_gift(request: HttpRequest, ref: str, body: VoidIn) -> Any:
    """Void a gift with a reason; it stays in the register (who, when, why)."""
    gift = _get(request, ref)
    try:
        actions.void_gift(_actor(request), gift, body.reason)
    except actions.GiftError as exc:
        raise ProblemsError(exc.problems) from None
    except actions.GiftStateError as exc:
        raise ApiProblem(409, "", str(exc)) from None
    return render(actions.get_gift(_actor(request), ref), history=True)


@router.delete("/gifts/{ref}", response={405: dict[str, Any]})
def delete_gift(request: HttpRequest, ref: str) -> Any:
    """Gifts are never deleted: void them instead (the register must stand up to an audit)."""
    _get(request, ref)
    return Status(405, errors(("", f"gifts are never deleted; void it: POST /api/v1/gifts/{ref}/void")))


class PolicyOut(Schema):
    version: int
    currency: str
    per_gift_limit: str
    per_recipient_year_limit: str
    public_sector_token: str
    never_categories: list[str]
    note: str
    created_at: str
    created_by: str | None


class PolicyIn(In):
    per_gift_limit: str | None = None
    per_recipient_year_limit: str | None = None
    public_sector_token: str | None = None
    never_categories: list[Category] | None = None
    note: text(300) = ""  # type: ignore[valid-type]


def render_policy(p: Any) -> dict[str, Any]:
    return {
        "version": p.version,
        "currency": p.currency,
        "per_gift_limit": f"{p.per_gift_limit:.2f}",
        "per_recipient_year_limit": f"{p.per_recipient_year_limit:.2f}",
        "public_sector_token": f"{p.public_sector_token:.2f}",
        "never_categories": list(p.never_categories),
        "note": p.note,
        "created_at": stamp_out(p.created_at),
        "created_by": _who(p.created_by),
    }


@router.get("/gift-policy", response=PolicyOut)
def get_policy(request: HttpRequest) -> Any:
    """Our gift policy in force."""
    from kanelbulle.gifts.models import GiftPolicy

    return render_policy(GiftPolicy.current())


@router.post("/gift-policy", response={201: PolicyOut})
def new_policy(request: HttpRequest, body: PolicyIn) -> Any:
    """A new version of our policy (admins); gifts keep the version they were checked by."""
    fields = {k: v for k, v in body.model_dump(exclude={"note"}).items() if v is not None}
    try:
        policy = actions.update_policy(_actor(request), note=body.note, **fields)
    except actions.GiftError as exc:
        raise ProblemsError(exc.problems) from None
    return Status(201, render_policy(policy))
