"""The gift check: a planned (or received) gift against our policy, the customer's and the country's
etiquette. Plain data in, a verdict out; no database, no HTTP, so it is cheap to test and the same
for the CLI, the API and the form.

Verdicts and codes are fixed in decisions.md ("Gifts"):

==========================  =======  =================================================
code                        verdict  when
==========================  =======  =================================================
cash_equivalent             no       category cash/cash equivalent, or a gift card,
                                     voucher or cash named in the description
never_category              no       another category our policy never allows
customer_accepts_no_gifts   no       the customer's own policy: no gifts (given only)
over_customer_limit         no       above the customer's own maximum (given only)
open_tender                 no       gift date on or before ``tender_open_until``
public_sector               no/ask   no above our token value, ask at or below it
over_our_limit              ask      above our per-gift limit
yearly_total                ask      the recipient's 12-month total passes our limit
expectation                 ask      same occasion 3 years running, or rising value
==========================  =======  =================================================

The worst reason sets the verdict (no > ask > ok); etiquette never changes it. Every limit is
compared in our policy's currency (the company currency), each amount converted at the rate of
its own date. Amounts exactly at a limit pass; one öre above does not.

Received gifts are checked against our policy too, with the codes that make sense for them
(cash, our limits, the yearly total, expectation): the messages then say to declare, return or
share the gift. The customer's own rules, tenders and public-sector rules concern what *we* give.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext_noop as _

from kanelbulle.core.money import Money
from kanelbulle.core.words import Said, say

VerdictCode = Literal["ok", "ask", "no"]
Converter = Callable[[Money, str, dt.date], Money]

GIVEN = "given"
RECEIVED = "received"
CASH_CATEGORY = "cash_equivalent"

# The codes and the verdict each gives (public_sector depends on the amount: see check_gift).
SEVERITY: dict[str, VerdictCode] = {
    "cash_equivalent": "no",
    "never_category": "no",
    "customer_accepts_no_gifts": "no",
    "over_customer_limit": "no",
    "open_tender": "no",
    "public_sector": "ask",
    "over_our_limit": "ask",
    "yearly_total": "ask",
    "expectation": "ask",
}
_RANK = {"ok": 0, "ask": 1, "no": 2}

# A gift card, voucher or plain money is cash whatever category it was filed under (IMM, S28, S64).
CASH_WORDS = re.compile(
    r"presentkort|gåvokort|värdebevis|kontant|\bpengar\b|\bsedlar\b|\bswish|"
    r"gift[\s-]?cards?|gift[\s-]?certificates?|vouchers?|\bcash\b|\bbank ?notes?\b|\bprepaid\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class GiftRequest:
    """The gift to check. ``recipient`` names the contact (None: the customer as a whole)."""

    direction: str
    category: str
    description: str
    value: Money
    date: dt.date
    country: str
    customer: str = ""
    recipient: str | None = None
    occasion: str = ""
    public_sector: bool = False
    tender_open_until: dt.date | None = None
    accepts_gifts: bool | None = None
    customer_max: Money | None = None


@dataclass(frozen=True)
class OurPolicy:
    """Our policy in force (one version of GiftPolicy). Amounts are in ``currency``."""

    currency: str
    per_gift_limit: Decimal
    per_recipient_year_limit: Decimal
    public_sector_token: Decimal
    never_categories: tuple[str, ...] = (CASH_CATEGORY,)
    version: int | None = None


@dataclass(frozen=True)
class PastGift:
    """An earlier, not voided gift with the same customer (either direction; filtered here)."""

    direction: str
    date: dt.date
    value: Money
    recipient: str | None = None
    occasion: str = ""
    ref: str = ""


@dataclass(frozen=True)
class Finding:
    """A reason or advice: a stable code, its message in the active language and, for a reason,
    the words to write it again in a later reader's language (``core.words``)."""

    code: str
    message: str
    words: dict[str, Any] | None = None

    def to_json(self) -> dict[str, str]:
        """As the check answers it (the contract: code and message)."""
        return {"code": self.code, "message": self.message}

    def stored(self) -> dict[str, Any]:
        """As a gift keeps it: with its words, so it is written again in a later reader's language."""
        out: dict[str, Any] = self.to_json()
        if self.words is not None:
            out["words"] = self.words
        return out


@dataclass
class Verdict:
    verdict: VerdictCode = "ok"
    reasons: list[Finding] = field(default_factory=list)
    etiquette: list[Finding] = field(default_factory=list)
    value_company: Money | None = None

    def add(self, code: str, message: str | Said, verdict: VerdictCode | None = None) -> None:
        level = verdict or SEVERITY[code]
        if isinstance(message, Said):
            self.reasons.append(Finding(code, message.message, message.words))
        else:
            self.reasons.append(Finding(code, message))
        if _RANK[level] > _RANK[self.verdict]:
            self.verdict = level

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reasons": [r.to_json() for r in self.reasons],
            "etiquette": [e.to_json() for e in self.etiquette],
        }


def same_currency_only(money: Money, to_currency: str, on_date: dt.date) -> Money:
    """A converter for callers with no rates: refuses any conversion it would need."""
    if money.currency == to_currency:
        return money
    raise LookupError(f"no exchange rate for {money.currency} on or before {on_date.isoformat()}")


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 Feb for 29 Feb)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def check_gift(
    request: GiftRequest,
    *,
    our_policy: OurPolicy,
    history: Iterable[PastGift] = (),
    rates: Converter = same_currency_only,
    etiquette: Callable[[GiftRequest], Sequence[Finding]] | None = None,
) -> Verdict:
    """Check one gift. ``rates(money, currency, date)`` converts; it may raise for a missing rate.

    ``etiquette`` is the country advice (``gifts.etiquette.advise`` in the app); it only adds advice.
    """
    cur = our_policy.currency
    verdict = Verdict()
    value = rates(request.value, cur, request.date)
    verdict.value_company = value
    shown: Money | tuple[Money, Money] = request.value if request.value.currency == cur else (request.value, value)
    given = request.direction == GIVEN

    # Cash and categories we never allow.
    if request.category == CASH_CATEGORY or (
        CASH_CATEGORY in our_policy.never_categories and CASH_WORDS.search(request.description)
    ):
        verdict.add(
            "cash_equivalent",
            say(_("Cash, gift cards and vouchers are never allowed as gifts; give something else."))
            if given
            else say(_("Cash, gift cards and vouchers may not be accepted: return it, and register that you did.")),
        )
    elif request.category in our_policy.never_categories:
        verdict.add(
            "never_category",
            say(_("Our policy never allows gifts in the category “%(category)s”."), category=request.category),
        )

    if given:
        if request.accepts_gifts is False:
            verdict.add("customer_accepts_no_gifts", say(_("This customer accepts no gifts under its own policy.")))
        if request.customer_max is not None:
            limit = rates(request.customer_max, cur, request.date)
            if value.amount > limit.amount:
                verdict.add(
                    "over_customer_limit",
                    say(
                        _("%(value)s is above the customer's own limit of %(limit)s per gift."),
                        value=shown,
                        limit=request.customer_max,
                    ),
                )
        if request.tender_open_until is not None and request.date <= request.tender_open_until:
            verdict.add(
                "open_tender",
                say(
                    _("The customer has an open tender until %(date)s: no gifts until it closes (quiet period)."),
                    date=request.tender_open_until.isoformat(),
                ),
            )
        if request.public_sector:
            token = our_policy.public_sector_token
            if value.amount > token:
                verdict.add(
                    "public_sector",
                    say(
                        _(
                            "A public-sector customer: %(value)s is above our token value of %(limit)s. Public "
                            "employees may accept at most a trivial gift shared by many, such as a cake for the staff "
                            "room."
                        ),
                        value=shown,
                        limit=Money(token, cur),
                    ),
                    "no",
                )
            else:
                verdict.add(
                    "public_sector",
                    say(
                        _(
                            "A public-sector customer: %(value)s is within our token value of %(limit)s, but every "
                            "gift to public employees needs a manager's approval."
                        ),
                        value=shown,
                        limit=Money(token, cur),
                    ),
                    "ask",
                )

    # Our own limits, both ways.
    if value.amount > our_policy.per_gift_limit:
        verdict.add(
            "over_our_limit",
            say(
                _("%(value)s is above our limit of %(limit)s per gift (excl. VAT): a manager must approve it.")
                if given
                else _(
                    "%(value)s is above our limit of %(limit)s per gift (excl. VAT): declare it to your manager, "
                    "who decides whether to return it or share it with the team."
                ),
                value=shown,
                limit=Money(our_policy.per_gift_limit, cur),
            ),
        )

    past = [g for g in history if g.direction == request.direction and g.date <= request.date and g.value.amount >= 0]
    # The recipient: the named contact, else the customer as a whole (every gift with it).
    mine = [g for g in past if request.recipient is None or g.recipient == request.recipient]
    start = year_before(request.date)
    window = [g for g in mine if g.date > start]
    total = value.amount + sum((rates(g.value, cur, g.date).amount for g in window), Decimal(0))
    if total > our_policy.per_recipient_year_limit:
        verdict.add(
            "yearly_total",
            say(
                _(
                    "With this gift the total for this recipient in the 12 months to %(date)s is %(total)s, above our "
                    "limit of %(limit)s (%(count)s earlier gifts)."
                ),
                date=request.date.isoformat(),
                total=Money(total, cur),
                limit=Money(our_policy.per_recipient_year_limit, cur),
                count=len(window),
            ),
        )

    pattern = _expectation(request, value, past, rates, cur)
    if pattern:
        verdict.add("expectation", pattern)

    if etiquette is not None:
        verdict.etiquette = list(etiquette(request))
    return verdict


def _expectation(request: GiftRequest, value: Money, past: list[PastGift], rates: Converter, cur: str) -> Said | None:
    """A habit turning into an expectation, with the customer as a whole (any contact).

    1. The same occasion (case-insensitive, not empty) in each of the two calendar years before
       this gift's year: this would be the third year running.
    2. Rising value: the customer's totals in the two calendar years before were both above zero
       and rising, and this year's total with this gift is higher again (three rising years).
    """
    year = request.date.year
    occasion = request.occasion.strip().casefold()
    if occasion:
        years = {g.date.year for g in past if g.occasion.strip().casefold() == occasion}
        if {year - 1, year - 2} <= years:
            return say(
                _(
                    "The same occasion gift (“%(occasion)s”) three years running (%(first)s–%(last)s) can turn into "
                    "an expectation: vary it or skip a year."
                ),
                occasion=request.occasion.strip(),
                first=year - 2,
                last=year,
            )
    totals = {y: Decimal(0) for y in (year - 2, year - 1, year)}
    for g in past:
        if g.date.year in totals:
            totals[g.date.year] += rates(g.value, cur, g.date).amount
    totals[year] += value.amount
    if Decimal(0) < totals[year - 2] < totals[year - 1] < totals[year]:
        return say(
            _(
                "Gifts to this customer have risen in value year on year (%(a)s, %(b)s, now %(c)s): a rising habit "
                "becomes an expectation."
            ),
            a=Money(totals[year - 2], cur),
            b=Money(totals[year - 1], cur),
            c=Money(totals[year], cur),
        )
    return None
