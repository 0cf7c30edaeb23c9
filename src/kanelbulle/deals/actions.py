"""Open, move, win, lose and delete deals; record orders."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanelbulle.core.access import require_edit
from kanelbulle.core.actions import apply_fields, audit, check_version, save_valid
from kanelbulle.core.money import Money
from kanelbulle.core.refs import new_ref
from kanelbulle.customers.models import Customer
from kanelbulle.deals.models import Deal, Order, Stage

if TYPE_CHECKING:
    from kanelbulle.accounts.models import User

DEAL_FIELDS = {"title", "value_amount", "value_currency", "margin_pct", "probability_pct", "stage", "created", "closed"}
ORDER_FIELDS = {"date", "value_amount", "value_currency", "margin_pct"}


def _split_money(fields: dict[str, Any]) -> dict[str, Any]:
    value = fields.pop("value", None)
    if isinstance(value, Money):
        fields["value_amount"], fields["value_currency"] = value.amount, value.currency
    return fields


def _check_stage(deal: Deal) -> None:
    if deal.stage == Stage.OPEN:
        deal.closed = None
    elif deal.closed is None:
        deal.closed = timezone.localdate()
    if deal.closed is not None and deal.closed < deal.created:
        raise ValidationError({"closed": [_("A deal cannot close before it was created.")]})


def deal_create(actor: User | None, customer: Customer, *, seller: User | None = None, **fields: Any) -> Deal:
    require_edit(actor, customer)
    owner = seller or actor or customer.owner
    deal = Deal(ref=fields.pop("ref", None) or new_ref("deal"), customer=customer, user=owner)
    fields.setdefault("created", timezone.localdate())
    apply_fields(deal, _split_money(fields), DEAL_FIELDS)
    with transaction.atomic():
        _check_stage(deal)
        save_valid(deal)
        audit(actor, "create", deal)
    return deal


def deal_update(actor: User | None, deal: Deal, *, version: int | None = None, **fields: Any) -> Deal:
    """Change a deal; moving it to won or lost stamps the close date (today unless given)."""
    require_edit(actor, deal.customer)
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        check_version(locked, version)
        changed = apply_fields(locked, _split_money(fields), DEAL_FIELDS)
        if changed:
            _check_stage(locked)
            save_valid(locked)
            audit(actor, "update", locked, fields=changed, stage=locked.stage)
    return locked


def deal_delete(actor: User | None, deal: Deal) -> None:
    require_edit(actor, deal.customer)
    with transaction.atomic():
        audit(actor, "delete", deal)
        deal.delete()


def order_create(actor: User | None, customer: Customer, *, date: dt.date, value: Money, **fields: Any) -> Order:
    require_edit(actor, customer)
    order = Order(
        ref=fields.pop("ref", None) or new_ref("order"), customer=customer, date=date,
        value_amount=value.amount, value_currency=value.currency,
    )  # fmt: skip
    apply_fields(order, fields, ORDER_FIELDS)
    with transaction.atomic():
        save_valid(order)
        audit(actor, "create", order)
    return order


def order_update(actor: User | None, order: Order, *, version: int | None = None, **fields: Any) -> Order:
    require_edit(actor, order.customer)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        check_version(locked, version)
        changed = apply_fields(locked, _split_money(fields), ORDER_FIELDS)
        if changed:
            save_valid(locked)
            audit(actor, "update", locked, fields=changed)
    return locked


def order_delete(actor: User | None, order: Order) -> None:
    require_edit(actor, order.customer)
    with transaction.atomic():
        audit(actor, "delete", order)
        order.delete()
