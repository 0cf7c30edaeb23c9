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
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from kanelbulle.core.csvout import SafeDictWriter
from kanelbulle.core.money import Money, format_money
from kanelbulle.core.rates import RateBook
from kanelbulle.gifts.models import STATUS_LABELS, Direction, Gift, Verdict, status_of

COLUMNS = [
    "row", "ref", "date", "direction", "customer_ref", "customer", "contact_ref", "contact", "seller",
    "description", "category", "occasion", "amount", "currency", "company_amount", "company_currency",
    "count", "verdict", "status", "reasons", "approved_by", "approved_at", "policy_version",
    "voided_at", "voided_by", "void_reason",
]  # fmt: skip


def company_amount(gift: Gift | Line, rates: RateBook | None = None) -> Decimal:
    """The stored company value; for a gift without one (imported), converted now at its date
    (from ``rates`` when given: the report converts from one read of the rates, not a query a gift)."""
    if gift.value_company_amount is not None:
        return Decimal(gift.value_company_amount)
    from kanelbulle.core.rates import NoRate, convert

    money = Money(Decimal(gift.value_amount), gift.value_currency)
    try:
        if rates is not None:
            return rates.convert(money, company_currency(), gift.date).amount
        return convert(money, company_currency(), gift.date).amount
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

    def add(self, gift: Gift | Line, amount: Decimal | None = None) -> None:
        amount = company_amount(gift) if amount is None else amount
        if gift.direction == "given":
            self.given += amount
            self.given_count += 1
        else:
            self.received += amount
            self.received_count += 1


@dataclass(frozen=True, slots=True)
class Line:
    """One gift of the report as the printed page and the CSV show it: plain values read in one
    query (``lines``), no model instances, so a report of thousands of gifts stays quick."""

    ref: str
    date: dt.date
    direction: str
    customer_ref: str
    customer: str
    contact_ref: str  # "" when no person
    contact: str
    seller: str  # the username
    seller_label: str  # the name, or the username
    description: str
    category: str
    occasion: str
    value_amount: Decimal
    value_currency: str
    value_company_amount: Decimal | None
    value_company_currency: str
    verdict: str
    reasons: list[dict[str, Any]]
    approved_by: str  # the username, "" when not approved
    approved_by_label: str
    approved_at: dt.datetime | None
    policy_version: int | None
    voided_at: dt.datetime | None
    voided_by: str
    void_reason: str

    @property
    def status(self) -> str:
        return status_of(self.voided_at, self.verdict, self.approved_at)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def direction_label(self) -> str:
        return str(Direction(self.direction).label) if self.direction in Direction.values else self.direction

    @property
    def verdict_label(self) -> str:
        return str(Verdict(self.verdict).label) if self.verdict in Verdict.values else self.verdict

    @classmethod
    def of(cls, g: Gift) -> Line:
        """A gift already read as a model (a caller's own list)."""
        return cls(
            g.ref, g.date, g.direction, g.customer.ref, g.customer.name,
            g.contact.ref if g.contact else "", g.contact.name if g.contact else "",
            g.user.username, _label_user(g.user), g.description, g.category, g.occasion,
            g.value_amount, g.value_currency, g.value_company_amount, g.value_company_currency,
            g.verdict, list(g.reasons or []),
            g.approved_by.username if g.approved_by else "", _label_user(g.approved_by), g.approved_at,
            g.policy.version if g.policy else None,
            g.voided_at, g.voided_by.username if g.voided_by else "", g.void_reason,
        )  # fmt: skip


LINE_FIELDS = (
    "ref", "date", "direction", "customer__ref", "customer__name", "contact__ref", "contact__name",
    "user__username", "user__name", "description", "category", "occasion", "value_amount", "value_currency",
    "value_company_amount", "value_company_currency", "verdict", "reasons", "approved_by__username",
    "approved_by__name", "approved_at", "policy__version", "voided_at", "voided_by__username", "void_reason",
)  # fmt: skip


def lines(gifts: QuerySet[Gift]) -> list[Line]:
    """Every gift of ``gifts`` as a ``Line``, by date and ref: one query of the columns shown."""
    return [_line(row) for row in gifts.order_by("date", "ref").values_list(*LINE_FIELDS)]


def _line(row: tuple[Any, ...]) -> Line:
    (ref, date, direction, customer_ref, customer, contact_ref, contact, username, name, description,
     category, occasion, amount, currency, company, company_currency_, verdict, reasons, approver,
     approver_name, approved_at, policy, voided_at, voider, void_reason) = row  # fmt: skip
    return Line(
        ref, date, direction, customer_ref, customer, contact_ref or "", contact or "", username,
        name or username, description, category, occasion, amount, currency, company, company_currency_,
        verdict, list(reasons or []), approver or "", approver_name or approver or "", approved_at, policy,
        voided_at, voider or "", void_reason,
    )  # fmt: skip


@dataclass
class Report:
    start: dt.date
    end: dt.date
    currency: str
    gifts: list[Line]
    per_customer: list[Total] = field(default_factory=list)
    per_person: list[Total] = field(default_factory=list)
    per_seller: list[Total] = field(default_factory=list)
    total: Total = field(default_factory=lambda: Total("all", "all"))


def _label_user(user: Any) -> str:
    return str(user.name or user.username) if user is not None else ""


def build(gifts: QuerySet[Gift] | Iterable[Gift], start: dt.date, end: dt.date, currency: str) -> Report:
    """The report of ``gifts`` (a queryset is read in one query of plain values; a gift without a
    stored company value is converted from one read of the stored rates)."""
    if isinstance(gifts, QuerySet):
        items = lines(gifts)
    else:
        items = sorted((Line.of(g) for g in gifts), key=lambda g: (g.date, g.ref))
    report = Report(start, end, currency, items)
    rates = RateBook() if any(g.value_company_amount is None for g in items) else None
    customers: dict[str, Total] = {}
    people: dict[str, Total] = {}
    sellers: dict[str, Total] = {}
    for g in items:
        if g.voided_at is not None:
            continue
        amount = company_amount(g, rates)
        report.total.add(g, amount)
        customers.setdefault(g.customer_ref, Total(g.customer_ref, g.customer, ref=g.customer_ref)).add(g, amount)
        if g.contact_ref:
            people.setdefault(
                g.contact_ref, Total(g.contact_ref, f"{g.contact} ({g.customer})", ref=g.contact_ref)
            ).add(g, amount)
        sellers.setdefault(g.seller, Total(g.seller, g.seller_label)).add(g, amount)
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
    one by one, as in ``build``; such gifts are the rare exception.

    One grouped query at the finest grain (customer, person, seller) is summed up here into the
    three groups and the whole: one round trip instead of seven (on PostgreSQL each cost a join
    over the customers, 7-15 ms apiece on a company's book)."""
    counted = gifts.filter(voided_at=None).order_by()
    keys = ("customer__ref", "customer__name", "contact__ref", "contact__name", "user__username", "user__name")
    rows = list(counted.values(*keys).annotate(**SUMS))
    total = _total("all", "all", _sum(rows))
    if not total.given_count and not total.received_count:  # nothing counted: no groups to ask for
        return Summary(total, [Group(str(t), [], 0) for t in (_("Per customer"), _("Per person"), _("Per seller"))])
    by_customer = _grouped(rows, ("customer__ref", "customer__name"), lambda k: (k[1], k[0]))
    by_person = _grouped(
        [r for r in rows if r["contact__ref"] is not None],
        ("contact__ref", "contact__name", "customer__name"),
        lambda k: (k[1], k[2], k[0]),
    )
    by_seller = _grouped(rows, ("user__username", "user__name"), lambda k: (k[1] or "", k[0]))
    customers = [_total(k[0], k[1], r, k[0]) for k, r in by_customer[:GROUP_TOP]]
    people = [_total(k[0], f"{k[1]} ({k[2]})", r, k[0]) for k, r in by_person[:GROUP_TOP]]
    sellers = [_total(k[0], k[1] or k[0], r) for k, r in by_seller[:GROUP_TOP]]
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
            Group(_("Per customer"), customers, len(by_customer)),
            Group(_("Per person"), people, len(by_person)),
            Group(_("Per seller"), sellers, len(by_seller)),
        ],
    )


def _sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The sums of ``SUMS`` over grouped rows (an empty sum is None, as SQL's)."""
    out: dict[str, Any] = {"given": None, "received": None, "given_count": 0, "received_count": 0}
    for r in rows:
        for key in ("given", "received"):
            if r[key] is not None:
                out[key] = (out[key] or Decimal(0)) + r[key]
        out["given_count"] += r["given_count"]
        out["received_count"] += r["received_count"]
    return out


def _grouped(
    rows: list[dict[str, Any]], by: tuple[str, ...], order: Any
) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """``rows`` summed per ``by`` (as SQL's GROUP BY those columns), sorted by ``order(key)``."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in by), []).append(r)
    return sorted(((k, _sum(v)) for k, v in groups.items()), key=lambda kv: order(kv[0]))


def gift_row(g: Line) -> dict[str, Any]:
    return {
        "row": "gift",
        "ref": g.ref,
        "date": g.date.isoformat(),
        "direction": g.direction,
        "customer_ref": g.customer_ref,
        "customer": g.customer,
        "contact_ref": g.contact_ref,
        "contact": g.contact,
        "seller": g.seller,
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
        "reasons": " | ".join(r.get("code", "") for r in g.reasons),
        "approved_by": g.approved_by,
        "approved_at": g.approved_at.isoformat() if g.approved_at else "",
        "policy_version": g.policy_version if g.policy_version is not None else "",
        "voided_at": g.voided_at.isoformat() if g.voided_at else "",
        "voided_by": g.voided_by,
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


def groups(report: Report) -> list[tuple[str, list[Total], SafeString]]:
    """The printed report's total tables: a title, the totals and their rows (``totals_html``)."""
    money = Amounts()
    return [
        (str(title), totals, totals_html(totals, report.currency, money))
        for title, totals in (
            (_("Per customer"), report.per_customer),
            (_("Per person"), report.per_person),
            (_("Per seller"), report.per_seller),
        )
    ]


class Amounts(dict[tuple[Decimal, str], str]):
    """``format_money`` remembered for one report: a register repeats the same amounts."""

    def __call__(self, amount: Decimal, currency: str) -> str:
        key = (amount, currency)
        if key not in self:
            self[key] = escape(format_money(amount, currency))
        return self[key]


# The printed report writes thousands of rows: they are written here, escaped, instead of by the
# template engine, which took about a second for a thousand gifts (gifts/_report_body.html).


def totals_html(totals: list[Total], currency: str, money: Amounts | None = None) -> SafeString:
    money = money if money is not None else Amounts()
    return mark_safe(  # noqa: S308  # every value is escaped
        "".join(
            f'<tr><th scope="row">{escape(t.label)}</th>'
            f'<td class="amount">{money(t.given, currency)} ({t.given_count})</td>'
            f'<td class="amount">{money(t.received, currency)} ({t.received_count})</td></tr>'
            for t in totals
        )
    )


def rows_html(report: Report) -> SafeString:
    """The register's rows of the printed report: one per gift, voided ones marked."""
    money = Amounts()
    voided = escape(_("voided"))
    # Each label translated and escaped once for the report, not once per gift.
    directions = {value: escape(str(label)) for value, label in Direction.choices}
    verdicts = {value: escape(str(label)) for value, label in Verdict.choices}
    statuses = {value: escape(str(label)) for value, label in STATUS_LABELS.items()}
    out = []
    for g in report.gifts:
        described = escape(g.description) + (f" ({escape(g.occasion)})" if g.occasion else "")
        company = "–" if g.value_company_amount is None else money(g.value_company_amount, report.currency)
        approved = (
            f"{escape(g.approved_by_label)} {localtime(g.approved_at).date().isoformat()}"
            if g.approved_by and g.approved_at
            else escape(g.approved_by_label)
            if g.approved_by
            else "–"
        )
        policy = f"v{g.policy_version}" if g.policy_version is not None else ""
        status = f"{voided}: {escape(g.void_reason)}" if g.voided_at else statuses[g.status]
        verdict = verdicts.get(g.verdict) or escape(g.verdict)
        out.append(
            f'<tr class="{"voided" if g.voided_at else ""}"><td>{g.date.isoformat()}</td><td>{escape(g.ref)}</td>'
            f"<td>{directions.get(g.direction) or escape(g.direction)}</td><td>{escape(g.customer)}</td>"
            f"<td>{escape(g.contact) if g.contact else '–'}</td><td>{escape(g.seller_label)}</td>"
            f"<td>{described}</td>"
            f'<td class="amount">{money(g.value_amount, g.value_currency or "SEK")}</td>'
            f'<td class="amount">{company}</td><td>{verdict}</td><td>{approved}</td>'
            f"<td>{policy}</td><td>{status}</td></tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308  # every value is escaped


def to_html(report: Report, *, generated: str = "") -> str:
    """A standalone printable page (a file to keep or print; it needs no server)."""
    context = {"report": report, "report_groups": groups(report), "report_rows": rows_html(report)}
    return render_to_string("gifts/report_file.html", {**context, "generated": generated})
