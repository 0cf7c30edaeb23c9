"""The form for changing a gift: it parses and labels input in the user's language; the action
(``gifts.actions.update_gift``) checks the gift again and decides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kanelbulle.core.money import is_currency, parse_amount
from kanelbulle.gifts.models import Category, Direction, Gift

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The action names a problem by its path; the form shows it next to the field of that name.
PROBLEM_FIELDS = {"value.amount": "amount", "value.currency": "currency"}


class AmountField(forms.CharField):
    """A value such as ``250.00`` or ``250,00`` (a Swedish keyboard's comma), never negative."""

    def to_python(self, value: Any) -> Any:
        text = str(super().to_python(value) or "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text:
            return ""
        try:
            amount = parse_amount(text)
        except ValueError:
            raise forms.ValidationError(
                _("%(value)s is not an amount: write e.g. 250.00 (at most two decimals)."), params={"value": value}
            ) from None
        if amount < 0:
            raise forms.ValidationError(_("The value must not be negative."))
        return amount


class GiftEditForm(forms.Form):
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, widget=forms.RadioSelect)
    contact = forms.ChoiceField(label=_("Person (optional)"), required=False)
    description = forms.CharField(label=_("What is it?"), max_length=300)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    occasion = forms.CharField(label=_("Occasion (optional)"), max_length=100, required=False)
    amount = AmountField(
        label=_("Value (excl. VAT)"), widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    date = forms.DateField(label=_("Date"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, gift: Gift, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "direction": gift.direction,
                "contact": gift.contact.ref if gift.contact else "",
                "description": gift.description,
                "category": gift.category,
                "occasion": gift.occasion,
                "amount": gift.value_amount,
                "currency": gift.value_currency,
                "date": gift.date,
                "version": gift.version,
            },
        )
        super().__init__(*args, **kwargs)
        people = gift.customer.contacts.order_by("name")  # type: ignore[attr-defined]
        contact: forms.ChoiceField = self.fields["contact"]  # type: ignore[assignment]
        contact.choices = [("", _("The company as a whole")), *((p.ref, p.name) for p in people)]

    def clean_currency(self) -> str:
        code = str(self.cleaned_data.get("currency") or "").strip().upper()
        if not is_currency(code):
            raise forms.ValidationError(
                _("%(code)s is not an ISO 4217 currency code such as SEK or EUR."), params={"code": code}
            )
        return code

    def action_fields(self) -> dict[str, Any]:
        """The cleaned values as ``update_gift`` takes them (strings, a ref or None)."""
        d = self.cleaned_data
        amount: Decimal = d["amount"]
        return {
            "contact": d["contact"] or None,
            "direction": d["direction"],
            "category": d["category"],
            "description": d["description"],
            "occasion": d.get("occasion") or "",
            "amount": str(amount),
            "currency": d["currency"],
            "date": d["date"].isoformat(),
        }

    def add_problems(self, problems: list[tuple[str, str]]) -> None:
        """Put each of the action's (path, message) problems next to its field (or above the form)."""
        for path, message in problems:
            name = PROBLEM_FIELDS.get(path, path)
            self.add_error(name if name in self.fields and name != "version" else None, message)
