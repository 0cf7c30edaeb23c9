"""The plan page's forms: which days to plan (and for whom), and the seller's changes to a plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kanelbulle.core.days import EARLIEST, LATEST, BadDay, check_day
from kanelbulle.planner.actions import MAX_DAYS


def checked_day(day: dt.date | None, field: str) -> dt.date | None:
    """A form's day within the range every page, command and the API accept (``core.days``)."""
    if day is None:
        return None
    try:
        return check_day(day, field)
    except BadDay:
        raise forms.ValidationError(
            gettext("Use a day from %(earliest)s to %(latest)s.")
            % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
        ) from None


class PlanForm(forms.Form):
    user = forms.ChoiceField(label=_("Seller"), required=False)
    start = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(
        label=_("Days"), min_value=1, max_value=MAX_DAYS, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )

    def clean_start(self) -> dt.date | None:
        return checked_day(self.cleaned_data.get("start"), "start")

    def __init__(self, *args: Any, sellers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(u.username, str(u)) for u in sellers]
        if len(sellers) <= 1:
            field.widget = forms.HiddenInput()


CHANGES = [("pin", "pin"), ("unpin", "unpin"), ("remove", "remove"), ("restore", "restore"), ("replan", "replan")]


class ChangeForm(forms.Form):
    """Pin a visit to a day, let it go again, remove it, bring it back, or read the book again."""

    action = forms.ChoiceField(choices=CHANGES)
    ref = forms.CharField(required=False, max_length=64)
    date = forms.DateField(required=False)

    def clean_date(self) -> dt.date | None:
        return checked_day(self.cleaned_data.get("date"), "date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action and action != "replan" and not data.get("ref"):
            self.add_error("ref", _("Say which visit."))
        if action == "pin" and not data.get("date"):
            self.add_error("date", _("Say which day to pin the visit to."))
        return data
