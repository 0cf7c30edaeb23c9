"""Shared set-up for the gift tests: a customer of Anna's (team north) with a contact, and rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from kanelbulle.accounts.models import User
from kanelbulle.core.models import ExchangeRate
from kanelbulle.customers.models import Contact, Customer

DAY = dt.date(2024, 12, 18)  # well in the past, whatever the clock says (CI moves it a year back)


def customer(owner: User, ref: str = "c-lulea-1", **kw: Any) -> Customer:
    fields: dict[str, Any] = {
        "name": "Luleå Stål AB",
        "country": "SE",
        "city": "Luleå",
        "lat": 65.58,
        "lon": 22.15,
        "time_zone": "Europe/Stockholm",
        "owner": owner,
    }
    fields.update(kw)
    return Customer.objects.create(ref=ref, **fields)


def contact(cust: Customer, ref: str = "p-1", name: str = "Li Wei") -> Contact:
    return Contact.objects.create(ref=ref, customer=cust, name=name, lawful_basis="legitimate_interest")


def rates() -> None:
    """1 EUR = 11.00 SEK = 160.00 JPY from 2024-01-01 (no USD rate at all)."""
    for code, value in (("SEK", "11.00"), ("JPY", "160.00")):
        ExchangeRate.objects.create(date=dt.date(2024, 1, 1), currency=code, per_eur=Decimal(value))


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def gift_book(seller: User) -> Customer:
    """The gift tests' book: rates, and a customer of ``seller``'s with one contact."""
    rates()
    cust = customer(seller)
    contact(cust)
    return cust
