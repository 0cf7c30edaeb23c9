"""Locale-aware formatting for amounts, dates and times (Swedish: ``1 234,50 kr``)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from django import template
from django.utils import timezone
from django.utils.translation import get_language

from kanelbulle.core.money import format_money

register = template.Library()

LOCALES = {"sv": "sv_SE", "en": "en_GB"}


def babel_locale() -> str:
    return LOCALES.get((get_language() or "en").split("-")[0], "en_GB")


@register.filter
def money(amount: Decimal | None, currency: str = "SEK") -> str:
    """``{{ deal.value_amount|money:deal.value_currency }}``: ``SEK 163,000``, ``163 000 kr``."""
    if amount is None or amount == "":
        return ""
    return format_money(Decimal(amount), currency or "SEK")


@register.filter
def money_units(amount: Decimal | str | None, currency: str = "SEK") -> str:
    """``money`` rounded to whole units, for estimates (a plan's worth, orders per year): ``SEK 11,169``."""
    if amount is None or amount == "":
        return ""
    return format_money(Decimal(str(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP), currency or "SEK")


@register.filter
def money_doc(value: dict[str, Any] | None, rounding: str = "") -> str:
    """An amount as the JSON documents hold it (``{"amount": "163000.00", "currency": "SEK"}``);
    ``money_doc:"units"`` rounds it to whole units."""
    if not value or value.get("amount") in (None, ""):
        return ""
    if rounding == "units":
        return money_units(value["amount"], value.get("currency") or "SEK")
    return format_money(Decimal(str(value["amount"])), value.get("currency") or "SEK")


@register.filter
def reason_text(finding: Any) -> str:
    """A stored reason (a gift's check) in the reader's language: from its words when it has them
    (``core.words``), else the message as it was stored."""
    from kanelbulle.core.words import shown

    return shown(finding)


@register.filter
def advice_text(stored: Any) -> str:
    """A gift's stored etiquette advice in the reader's language (``gifts.etiquette.shown``)."""
    from kanelbulle.gifts.etiquette import shown

    return shown(stored)


@register.filter
def potential_label(value: str | None) -> str:
    """A customer's potential as words in the reader's language (``low`` → ``Låg``)."""
    from kanelbulle.customers.models import Potential

    try:
        return str(Potential(value or "").label)
    except ValueError:
        return value or ""


@register.filter
def number(value: Any) -> str:
    if value is None or value == "":
        return ""
    return format_decimal(value, locale=babel_locale())


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    """A date, e.g. ``18 dec. 2025`` in Swedish; a datetime is first put in the viewer's zone."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_date(value, "medium", locale=babel_locale())


@register.filter
def when(value: dt.datetime | None) -> str:
    """Date and time in the viewer's time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_datetime(local, "medium", locale=babel_locale()).rsplit(":", 1)[0]


@register.filter
def clock(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_time(local, "short", locale=babel_locale())


@register.filter
def iso(value: dt.date | dt.datetime | None) -> str:
    """For ``<time datetime=…>``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat()


@register.filter
def widget_kind(field: Any) -> str:
    """How a form field is laid out: ``group`` (radios, chips: a fieldset), ``check`` or ``input``."""
    from django import forms

    widget = field.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return "group"
    if isinstance(widget, forms.CheckboxInput):
        return "check"
    return "input"


@register.filter
def get(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)
