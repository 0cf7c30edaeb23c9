"""The one rule for the value of a deal, an order or a gift, applied on every way in.

The exchange importer, the API, the forms, the gift register and the CSV presets all ask
:func:`value_problems` (the models' ``clean`` does too, so an action refuses what a caller let
through), so what one way in accepts every other way accepts, and an export always imports again:

* **the amount is not negative**, except an order's: a negative order is a credit note
  (``credit=True``). A deal or a gift worth less than nothing is a typing mistake.
* **the currency is one the company has rates for, or can get**: the company currency, the euro,
  a currency the European Central Bank publishes reference rates for (what ``kanelbulle rates
  import`` loads), or one with a rate stored here. ``XXX`` (no currency), ``XTS`` (testing) and
  ``XAU`` (gold) are ISO 4217 codes, but no amount in them can ever be converted, so a record in
  one would break every analysis that sums the team's book.

Each problem names the part of the value it is about (``amount`` or ``currency``), so every way in
reports it under its own field name (``deals[3].value.amount``, ``value.currency``,
``"Deal - Value"``).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kanelbulle.core.money import is_currency

#: The currencies of the ECB's daily reference rates (besides the euro itself).
ECB_CURRENCIES = frozenset(
    [
        "USD",
        "JPY",
        "BGN",
        "CZK",
        "DKK",
        "GBP",
        "HUF",
        "PLN",
        "RON",
        "SEK",
        "CHF",
        "ISK",
        "NOK",
        "TRY",
        "AUD",
        "BRL",
        "CAD",
        "CNY",
        "HKD",
        "IDR",
        "ILS",
        "INR",
        "KRW",
        "MXN",
        "MYR",
        "NZD",
        "PHP",
        "SGD",
        "THB",
        "ZAR",
    ]
)


def stored_currencies() -> frozenset[str]:
    """The currencies with at least one rate stored here."""
    from kanelbulle.core.models import ExchangeRate

    return frozenset(ExchangeRate.objects.values_list("currency", flat=True).distinct())


@lru_cache(maxsize=64)
def _always(code: str, company: str) -> bool:
    return code in (company, "EUR") or code in ECB_CURRENCIES


def has_rates(currency: str, stored: frozenset[str] | None = None) -> bool:
    """True when an amount in ``currency`` can be converted here (now, or once rates are loaded).

    ``stored`` is :func:`stored_currencies` read once by a caller checking many values.
    """
    if _always(currency, settings.COMPANY_CURRENCY):
        return True
    if stored is not None:
        return currency in stored
    from kanelbulle.core.models import ExchangeRate

    return ExchangeRate.objects.filter(currency=currency).exists()


def value_problems(
    amount: Decimal | None, currency: str | None, *, credit: bool = False, stored: frozenset[str] | None = None
) -> list[tuple[str, str]]:
    """What is wrong with a value of ``amount`` in ``currency``: ``(part, message)`` pairs, part being
    ``"amount"`` or ``"currency"``; an empty list when it may be stored.

    ``credit``: the value may be negative (an order, where a negative amount is a credit note).
    The amount's form (decimals, size) and the currency's (an ISO 4217 code) are checked before this
    by ``core.money``'s parsers; None skips that part.
    """
    problems: list[tuple[str, str]] = []
    if amount is not None and amount < 0 and not credit:
        problems.append(("amount", _("must not be negative")))
    if currency and is_currency(currency) and not has_rates(currency, stored):
        problems.append(
            (
                "currency",
                _(
                    "%(code)s: the company has no exchange rates for this currency and cannot get them "
                    "(use the company currency, EUR, a currency the ECB publishes, or load rates with "
                    "`kanelbulle rates import`)"
                )
                % {"code": currency},
            )
        )
    return problems


def clean_value(obj: object, prefix: str = "value", *, credit: bool = False) -> None:
    """For a model's ``clean``: ValidationError on ``<prefix>_amount`` / ``<prefix>_currency``."""
    amount = getattr(obj, f"{prefix}_amount")
    currency = getattr(obj, f"{prefix}_currency")
    errors: dict[str, list[str]] = {}
    for part, message in value_problems(
        Decimal(amount) if amount is not None else None, currency or None, credit=credit
    ):
        errors.setdefault(f"{prefix}_{part}", []).append(message)
    if errors:
        raise ValidationError(errors)
