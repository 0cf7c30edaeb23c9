"""Actions on the gift register, used alike by the CLI, the API and the pages.

Every gift is checked (``gifts.rules``) when recorded and when changed; a gift we would give with
the verdict ``no`` is refused, one with ``ask`` is stored pending a manager's approval. A received
gift is always registered, whatever the verdict (a gift that has been received must be on record,
even if it is to be returned). Nothing is deleted: a gift is voided (who, when, why), and every
change is kept in ``GiftChange`` with old and new values, and in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kanelbulle.core.access import NotVisible, can_edit_customer, require_visible, scope
from kanelbulle.core.actions import audit
from kanelbulle.core.days import stored_year_ok
from kanelbulle.core.money import Money, parse_amount, parse_currency
from kanelbulle.core.problems import YEAR_RANGE
from kanelbulle.core.rates import NoRate, convert
from kanelbulle.core.refs import new_ref
from kanelbulle.core.values import value_problems
from kanelbulle.customers.models import Contact, Customer
from kanelbulle.gifts import etiquette
from kanelbulle.gifts.models import Category, Direction, Gift, GiftChange, GiftPolicy, Verdict
from kanelbulle.gifts.rules import Converter, GiftRequest, OurPolicy, PastGift, check_gift
from kanelbulle.gifts.rules import Verdict as Check

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from kanelbulle.accounts.models import User


class GiftError(ValueError):
    """Invalid input: ``problems`` holds (path, message) pairs; nothing was stored."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{p}: {m}" if p else m for p, m in problems))

    @property
    def lines(self) -> list[str]:
        return [f"{p}: {m}" if p else m for p, m in self.problems]


class GiftRefused(Exception):
    """The check said ``no`` to a gift we would give; nothing was stored."""

    def __init__(self, check: Check) -> None:
        self.check = check
        super().__init__("; ".join(r.message for r in check.reasons))


class GiftStateError(Exception):
    """The action does not fit the gift's state (already voided, nothing to approve): answer 409."""


@dataclass(frozen=True)
class GiftInput:
    customer: Customer
    contact: Contact | None
    direction: str
    category: str
    description: str
    value: Money
    date: dt.date
    occasion: str = ""


def today() -> dt.date:
    return timezone.localdate()


def rate_converter() -> Converter:
    """``rates.convert`` with a memory for one check (the history converts the same dates often)."""
    memo: dict[tuple[Money, str, dt.date], Money] = {}

    def conv(money: Money, to_currency: str, on_date: dt.date) -> Money:
        key = (money, to_currency, on_date)
        if key not in memo:
            memo[key] = convert(money, to_currency, on_date)
        return memo[key]

    return conv


def our_policy(policy: GiftPolicy) -> OurPolicy:
    return OurPolicy(
        currency=policy.currency,
        per_gift_limit=Decimal(policy.per_gift_limit),
        per_recipient_year_limit=Decimal(policy.per_recipient_year_limit),
        public_sector_token=Decimal(policy.public_sector_token),
        never_categories=tuple(policy.never_categories or ()),
        version=policy.version,
    )


def form_customer(actor: User | None, ref: str) -> Customer | None:
    """The customer a gift form is for, or None when ``ref`` names no customer the actor may see
    (an unknown ref and another team's customer alike: the form shows neither)."""
    if not ref:
        return None
    return scope(actor, Customer.objects.all()).filter(ref=ref).first()


def form_contacts(customer: Customer | None) -> list[Contact]:
    """The people a gift to this customer may be for (none before a customer is chosen)."""
    if customer is None:
        return []
    return list(Contact.objects.filter(customer=customer).order_by("name"))


def parse_input(
    actor: User | None,
    *,
    customer: str | None,
    contact: str | None = None,
    amount: Any = None,
    currency: Any = None,
    description: Any = "",
    category: Any = None,
    date: Any = None,
    direction: Any = None,
    occasion: Any = "",
) -> GiftInput:
    """Raw values (strings from a command line, a form or JSON) to a GiftInput, or GiftError listing
    every problem. A customer or contact the actor may not see is reported as unknown."""
    problems: list[tuple[str, str]] = []
    cust: Customer | None = None
    if not customer:
        problems.append(("customer", _("required: the customer's ref")))
    else:
        cust = scope(actor, Customer.objects.all()).filter(ref=customer).first()
        if cust is None:
            problems.append(("customer", _("no customer with ref %(ref)s") % {"ref": customer}))
    person: Contact | None = None
    if contact:
        person = Contact.objects.filter(ref=contact).select_related("customer").first()
        if person is None or (cust is not None and person.customer_id != cust.pk):
            problems.append(
                ("contact", _("no contact with ref %(ref)s at this customer") % {"ref": contact})
                if person is not None
                else ("contact", _("no contact with ref %(ref)s") % {"ref": contact})
            )
            person = None
    value_amount: Decimal | None = None
    try:
        value_amount = parse_amount(amount)
    except ValueError as exc:
        problems.append(("value.amount", str(exc) if amount is not None else _("required")))
    value_currency: str | None = None
    try:
        value_currency = parse_currency(currency)
    except ValueError:
        problems.append(
            ("value.currency", _("%(code)r is not an ISO 4217 currency code such as SEK") % {"code": currency})
        )
    for part, message in value_problems(value_amount, value_currency):  # the one rule (core/values.py)
        problems.append((f"value.{part}", message))
        if part == "amount":
            value_amount = None
        else:
            value_currency = None
    direction = direction or Direction.GIVEN
    if direction not in Direction.values:
        problems.append(("direction", _("must be given or received, not %(value)r") % {"value": direction}))
    category = category or Category.OBJECT
    if category not in Category.values:
        problems.append(
            ("category", _("must be one of %(choices)s, not %(value)r")
             % {"choices": ", ".join(Category.values), "value": category})
        )  # fmt: skip
    text = str(description or "").strip()
    if not text:
        problems.append(("description", _("required: say what the gift is")))
    elif len(text) > 300:
        problems.append(("description", _("at most 300 characters")))
    occasion_text = str(occasion or "").strip()
    if len(occasion_text) > 100:
        problems.append(("occasion", _("at most 100 characters")))
    day = today()
    if date not in (None, ""):
        if isinstance(date, dt.date):
            day = date
        else:
            try:
                day = dt.date.fromisoformat(str(date))
            except ValueError:
                problems.append(("date", _("%(value)r is not a date such as 2025-12-18") % {"value": date}))
    if not stored_year_ok(day):  # the check counts a year back and forth from it
        problems.append(("date", str(YEAR_RANGE)))
        day = today()
    if direction == Direction.RECEIVED and day > today():
        problems.append(
            ("date", _("a received gift cannot be dated in the future (%(date)s)") % {"date": day.isoformat()})
        )
    if problems or cust is None or value_amount is None or value_currency is None:
        raise GiftError(problems)
    return GiftInput(
        customer=cust,
        contact=person,
        direction=str(direction),
        category=str(category),
        description=text,
        value=Money(value_amount, value_currency),
        date=day,
        occasion=occasion_text,
    )


def history_for(customer: Customer, exclude: Gift | None = None) -> list[PastGift]:
    qs = Gift.objects.filter(customer=customer, voided_at=None).select_related("contact")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return [
        PastGift(
            direction=g.direction,
            date=g.date,
            value=Money(Decimal(g.value_amount), g.value_currency),
            recipient=g.contact.ref if g.contact else None,
            occasion=g.occasion,
            ref=g.ref,
        )
        for g in qs
    ]


def check(data: GiftInput, *, policy: GiftPolicy | None = None, exclude: Gift | None = None) -> Check:
    """Run the check for one gift against the policy in force and the register's history.

    Raises GiftError when an amount cannot be converted (no rate on or before the date)."""
    policy = policy or GiftPolicy.current()
    c = data.customer
    request = GiftRequest(
        direction=data.direction,
        category=data.category,
        description=data.description,
        value=data.value,
        date=data.date,
        country=c.country,
        customer=c.ref,
        recipient=data.contact.ref if data.contact else None,
        occasion=data.occasion,
        public_sector=c.public_sector,
        tender_open_until=c.tender_open_until,
        accepts_gifts=c.accepts_gifts,
        customer_max=c.gift_max,
    )
    try:
        return check_gift(
            request,
            our_policy=our_policy(policy),
            history=history_for(c, exclude),
            rates=rate_converter(),
            etiquette=etiquette.advise,
        )
    except NoRate as exc:
        raise GiftError([("value.currency", str(exc))]) from None


def _snapshot(gift: Gift) -> dict[str, Any]:
    return {
        "direction": gift.direction,
        "customer": gift.customer.ref,
        "contact": gift.contact.ref if gift.contact else None,
        "user": gift.user.username,
        "date": gift.date.isoformat(),
        "description": gift.description,
        "category": gift.category,
        "value": Money(Decimal(gift.value_amount), gift.value_currency).to_json(),
        "occasion": gift.occasion,
        "verdict": gift.verdict,
        "policy": gift.policy.version if gift.policy else None,
    }


def _log(actor: User | None, gift: Gift, action: str, changes: dict[str, Any], note: str = "") -> None:
    GiftChange.objects.create(
        gift=gift,
        actor=actor,
        actor_label="" if actor is not None else "operator",
        action=action,
        changes=changes,
        note=note,
    )
    audit(actor, action, gift, **({"note": note} if note else {}), changes=changes)


def _apply_check(gift: Gift, result: Check, policy: GiftPolicy) -> None:
    gift.verdict = result.verdict
    gift.reasons = [r.stored() for r in result.reasons]
    gift.etiquette = [e.to_json() for e in result.etiquette]
    gift.value_company = result.value_company
    gift.policy = policy


@transaction.atomic
def record_gift(
    actor: User | None, data: GiftInput, *, user: User | None = None, ref: str | None = None
) -> tuple[Gift, Check]:
    """Register a gift. Raises GiftRefused for a given gift with the verdict ``no``."""
    require_visible(actor, data.customer)
    policy = GiftPolicy.current()
    result = check(data, policy=policy)
    if result.verdict == "no" and data.direction == Direction.GIVEN:
        raise GiftRefused(result)
    gift = Gift(
        ref=ref or new_ref("gift"),
        direction=data.direction,
        customer=data.customer,
        contact=data.contact,
        user=user or actor or data.customer.owner,
        date=data.date,
        description=data.description,
        category=data.category,
        occasion=data.occasion,
        recorded_by=actor,
    )
    gift.value = data.value
    _apply_check(gift, result, policy)
    gift.save()
    _log(actor, gift, "create", _snapshot(gift))
    return gift, result


def visible_gifts(actor: User | None) -> QuerySet[Gift]:
    return scope(actor, Gift.objects.all(), "customer__").select_related(
        "customer", "customer__owner", "contact", "user", "approved_by", "voided_by", "policy"
    )


def get_gift(actor: User | None, ref: str) -> Gift:
    gift = visible_gifts(actor).filter(ref=ref).first()
    if gift is None:
        raise NotVisible(ref)
    return gift


def can_approve(actor: User | None, gift: Gift) -> bool:
    """Managers of the customer's team and admins approve; nobody approves a gift they gave."""
    if actor is None:
        return True
    if gift.user_id == actor.pk and not actor.is_admin_role:
        return False
    if actor.is_admin_role:
        return True
    return actor.is_manager and bool(actor.team) and gift.customer.owner.team == actor.team


def can_change(actor: User | None, gift: Gift) -> bool:
    """The giver or recipient, the one who recorded it, and those who may change the customer."""
    if actor is None:
        return True
    return gift.user_id == actor.pk or gift.recorded_by_id == actor.pk or can_edit_customer(actor, gift.customer)


@transaction.atomic
def approve_gift(actor: User | None, gift: Gift, note: str = "") -> Gift:
    require_visible(actor, gift.customer)
    if not can_approve(actor, gift):
        raise PermissionDenied(_("only a manager of the customer's team or an admin may approve, never the giver"))
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    if gift.voided_at is not None:
        raise GiftStateError(_("%(ref)s is voided") % {"ref": gift.ref})
    if gift.verdict != Verdict.ASK:
        raise GiftStateError(_("%(ref)s needs no approval") % {"ref": gift.ref})
    if gift.approved_at is not None:
        raise GiftStateError(_("%(ref)s is already approved") % {"ref": gift.ref})
    gift.approved_by = actor
    gift.approved_at = timezone.now()
    gift.save()
    _log(actor, gift, "approve", {"approved_by": actor.username if actor else "operator"}, note)
    return gift


@transaction.atomic
def void_gift(actor: User | None, gift: Gift, reason: str) -> Gift:
    require_visible(actor, gift.customer)
    if not can_change(actor, gift):
        raise PermissionDenied(_("only the giver, the customer's seller, their manager or an admin may void a gift"))
    reason = (reason or "").strip()
    if not reason:
        raise GiftError([("reason", _("required: say why the gift is voided"))])
    if len(reason) > 300:
        raise GiftError([("reason", _("at most 300 characters"))])
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    if gift.voided_at is not None:
        raise GiftStateError(_("%(ref)s is already voided") % {"ref": gift.ref})
    gift.voided_at = timezone.now()
    gift.voided_by = actor
    gift.void_reason = reason
    gift.save()
    _log(actor, gift, "void", {"reason": reason}, reason)
    return gift


UPDATABLE = {"contact", "direction", "category", "description", "amount", "currency", "date", "occasion"}


@transaction.atomic
def update_gift(actor: User | None, gift: Gift, *, version: int | None = None, **fields: Any) -> tuple[Gift, Check]:
    """Change a gift; it is checked again. A change that alters the verdict or the value drops an
    earlier approval (it approved something else). Raises GiftRefused like record_gift."""
    require_visible(actor, gift.customer)
    if not can_change(actor, gift):
        raise PermissionDenied(_("only the giver, the customer's seller, their manager or an admin may change a gift"))
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise GiftError([(sorted(unknown)[0], _("cannot be changed"))])
    gift = (
        Gift.objects.select_for_update(of=("self",))
        .select_related("customer", "contact", "user", "policy")
        .get(pk=gift.pk)
    )
    if gift.voided_at is not None:
        raise GiftStateError(_("%(ref)s is voided") % {"ref": gift.ref})
    if version is not None and version != gift.version:
        raise GiftStateError(
            _("%(ref)s is at version %(actual)s, not %(expected)s: reload and try again")
            % {"ref": gift.ref, "actual": gift.version, "expected": version}
        )
    before = _snapshot(gift)
    current = {
        "contact": gift.contact.ref if gift.contact else None,
        "direction": gift.direction,
        "category": gift.category,
        "description": gift.description,
        "amount": str(gift.value_amount),
        "currency": gift.value_currency,
        "date": gift.date.isoformat(),
        "occasion": gift.occasion,
    }
    current.update(fields)
    data = parse_input(actor, customer=gift.customer.ref, **current)
    policy = GiftPolicy.current()
    result = check(data, policy=policy, exclude=gift)
    if result.verdict == "no" and data.direction == Direction.GIVEN:
        raise GiftRefused(result)
    gift.contact = data.contact
    gift.direction = data.direction
    gift.category = data.category
    gift.description = data.description
    gift.value = data.value
    gift.date = data.date
    gift.occasion = data.occasion
    _apply_check(gift, result, policy)
    after = _snapshot(gift)
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not diff:
        return gift, result
    if gift.approved_at is not None and ({"value", "verdict", "date", "direction", "contact"} & set(diff)):
        diff["approved_by"] = [gift.approved_by.username if gift.approved_by else "operator", None]
        gift.approved_at = None
        gift.approved_by = None
    gift.save()
    _log(actor, gift, "update", diff)
    return gift, result


POLICY_FIELDS = {"per_gift_limit", "per_recipient_year_limit", "public_sector_token", "never_categories", "currency"}


@transaction.atomic
def update_policy(actor: User | None, *, note: str = "", **fields: Any) -> GiftPolicy:
    """A new version of our policy (admins only); earlier gifts keep the version they were checked by."""
    if actor is not None and not actor.is_admin_role:
        raise PermissionDenied(_("only an admin may change the gift policy"))
    unknown = set(fields) - POLICY_FIELDS
    if unknown:
        raise GiftError([(sorted(unknown)[0], _("unknown field"))])
    current = GiftPolicy.current()
    problems: list[tuple[str, str]] = []
    values: dict[str, Any] = {
        "currency": current.currency,
        "per_gift_limit": current.per_gift_limit,
        "per_recipient_year_limit": current.per_recipient_year_limit,
        "public_sector_token": current.public_sector_token,
        "never_categories": list(current.never_categories),
    }
    for name in ("per_gift_limit", "per_recipient_year_limit", "public_sector_token"):
        if name in fields:
            try:
                amount = parse_amount(fields[name])
                if amount < 0:
                    raise ValueError(_("must not be negative"))
                values[name] = amount
            except ValueError as exc:
                problems.append((name, str(exc)))
    if "currency" in fields:
        try:
            values["currency"] = parse_currency(fields["currency"])
        except ValueError as exc:
            problems.append(("currency", str(exc)))
    if "never_categories" in fields:
        cats = fields["never_categories"]
        if not isinstance(cats, (list, tuple)) or not set(cats) <= set(Category.values):
            problems.append(("never_categories", _("a list of categories: %(c)s") % {"c": ", ".join(Category.values)}))
        else:
            values["never_categories"] = sorted(set(cats))
    if problems:
        raise GiftError(problems)
    changed = {
        k: [str(getattr(current, k)) if k != "never_categories" else current.never_categories, v]
        for k, v in values.items()
        if (str(v) if k != "never_categories" else v)
        != (str(getattr(current, k)) if k != "never_categories" else current.never_categories)
    }
    if not changed:
        return current
    policy = GiftPolicy.objects.create(version=current.version + 1, created_by=actor, note=note.strip()[:300], **values)
    audit(
        actor,
        "policy",
        None,
        version=policy.version,
        changes={k: [str(a), str(b)] for k, (a, b) in changed.items()},
        note=policy.note,
    )
    return policy


def company_currency() -> str:
    return str(getattr(settings, "COMPANY_CURRENCY", "SEK"))


def settle_imported(gifts: QuerySet[Gift] | None = None, actor: User | None = None) -> int:
    """Fill what an import leaves out: the value in the company currency at the gift's date, the
    check's verdict, reasons and etiquette, and the policy version in force (for gifts that have no
    policy yet). Approvals and voids from the file are kept. Returns how many gifts were settled.
    A gift whose currency has no rate keeps an empty company value (the register shows it)."""
    qs = (gifts if gifts is not None else Gift.objects.all()).filter(policy=None)
    policy = GiftPolicy.current()
    n = 0
    for gift in qs.select_related("customer", "customer__owner", "contact", "user"):
        data = GiftInput(
            customer=gift.customer,
            contact=gift.contact,
            direction=gift.direction,
            category=gift.category,
            description=gift.description,
            value=Money(Decimal(gift.value_amount), gift.value_currency),
            date=gift.date,
            occasion=gift.occasion,
        )
        try:
            result = check(data, policy=policy, exclude=gift)
        except GiftError:
            gift.policy = policy
            gift.save(update_fields=["policy", "version", "updated_at"])
            continue
        _apply_check(gift, result, policy)
        gift.save()
        GiftChange.objects.create(
            gift=gift, actor=actor, actor_label="import" if actor is None else "", action="import",
            changes=_snapshot(gift),
        )  # fmt: skip
        n += 1
    return n
