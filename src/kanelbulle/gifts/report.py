"""The register for a period, with totals per customer, per person (contact) and per seller.

Totals are in the company currency at each gift's own date (stored on the gift when recorded),
given and received apart; voided gifts are listed (the register hides nothing) but not counted.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kanelbulle.core.csvout import SafeDictWriter
from kanelbulle.core.money import Money
from kanelbulle.gifts.models import Gift

COLUMNS = [
    "row", "ref", "date", "direction", "customer_ref", "customer", "contact_ref", "contact", "seller",
    "description", "category", "occasion", "amount", "currency", "company_amount", "company_currency",
    "count", "verdict", "status", "reasons", "approved_by", "approved_at", "policy_version",
    "voided_at", "voided_by", "void_reason",
]  # fmt: skip


def company_amount(gift: Gift) -> Decimal:
    """The stored company value; for a gift without one (imported), converted now at its date."""
    if gift.value_company_amount is not None:
        return Decimal(gift.value_company_amount)
    from kanelbulle.core.rates import NoRate, convert

    try:
        return convert(Money(Decimal(gift.value_amount), gift.value_currency), company_currency(), gift.date).amount
    except NoRate:
        return Decimal(0)


def company_currency() -> str:
    return str(getattr(settings, "COMPANY_CURRENCY", "SEK"))


@dataclass
class Total:
    key: str
    label: str
    given: Decimal = Decimal(0)
    received: Decimal = Decimal(0)
    given_count: int = 0
    received_count: int = 0
    ref: str = ""

    def add(self, gift: Gift) -> None:
        amount = company_amount(gift)
        if gift.direction == "given":
            self.given += amount
            self.given_count += 1
        else:
            self.received += amount
            self.received_count += 1


@dataclass
class Report:
    start: dt.date
    end: dt.date
    currency: str
    gifts: list[Gift]
    per_customer: list[Total] = field(default_factory=list)
    per_person: list[Total] = field(default_factory=list)
    per_seller: list[Total] = field(default_factory=list)
    total: Total = field(default_factory=lambda: Total("all", "all"))


def _label_user(user: Any) -> str:
    return str(user.name or user.username) if user is not None else ""


def build(gifts: QuerySet[Gift] | Iterable[Gift], start: dt.date, end: dt.date, currency: str) -> Report:
    items = sorted(gifts, key=lambda g: (g.date, g.ref))
    report = Report(start, end, currency, items)
    customers: dict[str, Total] = {}
    people: dict[str, Total] = {}
    sellers: dict[str, Total] = {}
    for g in items:
        if g.voided_at is not None:
            continue
        report.total.add(g)
        customers.setdefault(g.customer.ref, Total(g.customer.ref, g.customer.name, ref=g.customer.ref)).add(g)
        if g.contact is not None:
            people.setdefault(
                g.contact.ref, Total(g.contact.ref, f"{g.contact.name} ({g.customer.name})", ref=g.contact.ref)
            ).add(g)
        sellers.setdefault(g.user.username, Total(g.user.username, _label_user(g.user))).add(g)
    report.per_customer = sorted(customers.values(), key=lambda t: t.label)
    report.per_person = sorted(people.values(), key=lambda t: t.label)
    report.per_seller = sorted(sellers.values(), key=lambda t: t.label)
    return report


GROUP_TOP = 10
GIVEN, RECEIVED = Q(direction="given"), Q(direction="received")
SUMS = {
    "given": Sum("value_company_amount", filter=GIVEN),
    "received": Sum("value_company_amount", filter=RECEIVED),
    "given_count": Count("id", filter=GIVEN),
    "received_count": Count("id", filter=RECEIVED),
}


@dataclass
class Group:
    """One table of totals on the register page: the first ``GROUP_TOP`` rows by name and how
    many there are in all (the CSV and the printable report hold every row)."""

    title: str
    rows: list[Total]
    count: int


@dataclass
class Summary:
    total: Total
    groups: list[Group]


def _total(key: str, label: str, row: dict[str, Any], ref: str = "") -> Total:
    return Total(
        key,
        label,
        given=Decimal(row["given"] or 0),
        received=Decimal(row["received"] or 0),
        given_count=row["given_count"],
        received_count=row["received_count"],
        ref=ref,
    )


def summarise(gifts: QuerySet[Gift]) -> Summary:
    """The register page's totals by SQL aggregates (a bounded number of queries, whatever the
    number of gifts): the whole, and the first rows per customer, person and seller. Voided gifts
    are not counted. A gift without a stored company value (imported) is converted at its date
    one by one, as in ``build``; such gifts are the rare exception."""
    counted = gifts.filter(voided_at=None).order_by()
    total = _total("all", "all", counted.aggregate(**SUMS))
    if not total.given_count and not total.received_count:  # nothing counted: no groups to ask for
        return Summary(total, [Group(str(t), [], 0) for t in (_("Per customer"), _("Per person"), _("Per seller"))])
    by_customer = counted.values("customer__ref", "customer__name").annotate(**SUMS).order_by("customer__name")
    by_person = (
        counted.exclude(contact=None)
        .values("contact__ref", "contact__name", "customer__name")
        .annotate(**SUMS)
        .order_by("contact__name", "customer__name")
    )
    by_seller = counted.values("user__username", "user__name").annotate(**SUMS).order_by("user__name")
    customers = [
        _total(r["customer__ref"], r["customer__name"], r, r["customer__ref"]) for r in by_customer[:GROUP_TOP]
    ]
    people = [
        _total(r["contact__ref"], f"{r['contact__name']} ({r['customer__name']})", r, r["contact__ref"])
        for r in by_person[:GROUP_TOP]
    ]
    sellers = [_total(r["user__username"], r["user__name"] or r["user__username"], r) for r in by_seller[:GROUP_TOP]]
    unconverted = counted.filter(value_company_amount=None).select_related("customer", "contact", "user")
    for gift in unconverted:
        amount = company_amount(gift)
        contact = gift.contact.ref if gift.contact else None
        touched = [total]
        touched += [t for t in customers if t.key == gift.customer.ref]
        touched += [t for t in people if t.key == contact]
        touched += [t for t in sellers if t.key == gift.user.username]
        for t in touched:
            if gift.direction == "given":
                t.given += amount
            else:
                t.received += amount
    return Summary(
        total,
        [
            Group(_("Per customer"), customers, by_customer.count()),
            Group(_("Per person"), people, by_person.count()),
            Group(_("Per seller"), sellers, by_seller.count()),
        ],
    )


def gift_row(g: Gift) -> dict[str, Any]:
    return {
        "row": "gift",
        "ref": g.ref,
        "date": g.date.isoformat(),
        "direction": g.direction,
        "customer_ref": g.customer.ref,
        "customer": g.customer.name,
        "contact_ref": g.contact.ref if g.contact else "",
        "contact": g.contact.name if g.contact else "",
        "seller": g.user.username,
        "description": g.description,
        "category": g.category,
        "occasion": g.occasion,
        "amount": f"{g.value_amount:.2f}",
        "currency": g.value_currency,
        "company_amount": f"{g.value_company_amount:.2f}" if g.value_company_amount is not None else "",
        "company_currency": g.value_company_currency,
        "count": 1,
        "verdict": g.verdict,
        "status": g.status,
        "reasons": " | ".join(r.get("code", "") for r in (g.reasons or [])),
        "approved_by": g.approved_by.username if g.approved_by else "",
        "approved_at": g.approved_at.isoformat() if g.approved_at else "",
        "policy_version": g.policy.version if g.policy else "",
        "voided_at": g.voided_at.isoformat() if g.voided_at else "",
        "voided_by": g.voided_by.username if g.voided_by else "",
        "void_reason": g.void_reason,
    }


def to_csv(report: Report) -> str:
    """One row per gift, then total rows (``row`` = customer_total, person_total, seller_total,
    total), one per direction with gifts, amounts in the company currency."""
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=COLUMNS, restval="", lineterminator="\n")  # no formulas
    writer.writeheader()
    for g in report.gifts:
        writer.writerow(gift_row(g))
    groups: list[tuple[str, list[Total]]] = [
        ("customer_total", report.per_customer),
        ("person_total", report.per_person),
        ("seller_total", report.per_seller),
        ("total", [report.total]),
    ]
    for kind, totals in groups:
        for t in totals:
            for direction, amount, count in (
                ("given", t.given, t.given_count),
                ("received", t.received, t.received_count),
            ):
                if not count:
                    continue
                row: dict[str, Any] = {
                    "row": kind,
                    "direction": direction,
                    "company_amount": f"{amount:.2f}",
                    "company_currency": report.currency,
                    "count": count,
                }
                if kind == "customer_total":
                    row.update(customer_ref=t.ref, customer=t.label)
                elif kind == "person_total":
                    row.update(contact_ref=t.ref, contact=t.label)
                elif kind == "seller_total":
                    row.update(seller=t.key)
                writer.writerow(row)
    return out.getvalue()


def groups(report: Report) -> list[tuple[str, list[Total]]]:
    return [
        (_("Per customer"), report.per_customer),
        (_("Per person"), report.per_person),
        (_("Per seller"), report.per_seller),
    ]


def to_html(report: Report, *, generated: str = "") -> str:
    """A standalone printable page (a file to keep or print; it needs no server)."""
    return render_to_string(
        "gifts/report_file.html", {"report": report, "report_groups": groups(report), "generated": generated}
    )
