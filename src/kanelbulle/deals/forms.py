"""Deal and order forms; stage rules (close dates) live in the deal actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanelbulle.core.money import Money
from kanelbulle.customers.forms import DATE, CurrencyField
from kanelbulle.deals.models import Stage

PCT = {"min_value": 0, "max_value": 100, "max_digits": 5, "decimal_places": 2, "required": False}


class MoneyFields(forms.Form):
    """A value; whether it may be negative (an order's credit note) and whether its currency has rates
    is the one rule of core/values.py, which the model's ``clean`` applies and the view shows here."""

    value_amount = forms.DecimalField(label=_("Value"), max_digits=18, decimal_places=2)
    value_currency = CurrencyField(label=_("Currency"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("value_currency", settings.COMPANY_CURRENCY)

    def money(self) -> Money:
        return Money(self.cleaned_data["value_amount"], self.cleaned_data["value_currency"])


class DealForm(MoneyFields):
    title = forms.CharField(label=_("Title"), max_length=200)
    margin_pct = forms.DecimalField(label=_("Margin %"), **PCT)  # type: ignore[arg-type]
    probability_pct = forms.DecimalField(label=_("Probability %"), **PCT)  # type: ignore[arg-type]
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.OPEN)
    created = forms.DateField(label=_("Opened"), widget=DATE)
    closed = forms.DateField(
        label=_("Closed"), required=False, widget=DATE, help_text=_("Left empty: today, when won or lost.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    field_order = [
        "title",
        "value_amount",
        "value_currency",
        "stage",
        "probability_pct",
        "margin_pct",
        "created",
        "closed",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("created", timezone.localdate())

    def action_fields(self) -> dict[str, Any]:
        d = {k: v for k, v in self.cleaned_data.items() if k not in {"version", "value_amount", "value_currency"}}
        d["value"] = self.money()
        return d


class StageForm(forms.Form):
    """Win or lose an open deal (or reopen it), with the close date."""

    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    closed = forms.DateField(label=_("Closed"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class OrderForm(MoneyFields):
    date = forms.DateField(label=_("Date"), widget=DATE)
    margin_pct = forms.DecimalField(label=_("Margin %"), **PCT)  # type: ignore[arg-type]
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    field_order = ["date", "value_amount", "value_currency", "margin_pct"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("date", timezone.localdate())


class DealFilterForm(forms.Form):
    """The deal board's search and filters (all optional, all in the URL). The seller and team
    choices are only those the viewer may see, so picking another's is refused (400)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    seller = forms.ChoiceField(label=_("Seller"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)

    def __init__(self, *args: Any, sellers: list[Any], teams: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sellers = {u.username: u for u in sellers}
        self.fields["seller"].choices = [("", _("Anyone"))] + [(u.username, str(u)) for u in sellers]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("Any"))] + [(t, t) for t in teams]  # type: ignore[attr-defined]
        if len(teams) < 2:  # a choice to show only to whoever sees several teams (an admin)
            self.fields["team"].widget = forms.HiddenInput()
        self.fields["stage"].choices = [("", _("Every stage")), *Stage.choices]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        d = self.cleaned_data if self.is_valid() else {}
        return {
            "query": d.get("q") or "",
            "seller": self.sellers.get(d.get("seller") or ""),
            "team": d.get("team") or "",
        }
