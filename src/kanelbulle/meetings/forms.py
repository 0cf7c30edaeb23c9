"""The meeting log form (one form, thumb-sized), the meeting edit form and the request form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanelbulle.customers.forms import DATE
from kanelbulle.customers.models import Contact, Customer, FactKind
from kanelbulle.meetings.models import MeetingRequest, MeetingStatus, Modality, RequestStatus

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
FACT_ROWS = 2


def now_minute() -> dt.datetime:
    """Now in the viewer's zone, to the minute below (the default start of a meeting just held)."""
    return timezone.localtime().replace(second=0, microsecond=0)


class ChipSelect(forms.CheckboxSelectMultiple):
    template_name = "meetings/widgets/chips.html"
    option_template_name = "meetings/widgets/chip.html"


class ChipRadio(forms.RadioSelect):
    template_name = "meetings/widgets/chips.html"
    option_template_name = "meetings/widgets/chip.html"


class MeetingFieldsForm(forms.Form):
    """What a meeting holds; shared by logging and editing."""

    start = forms.DateTimeField(label=_("When"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    modality = forms.ChoiceField(
        label=_("How you met"), choices=Modality.choices, initial=Modality.IN_PERSON, widget=ChipRadio
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("Who was there"), queryset=Contact.objects.none(), required=False, widget=ChipSelect
    )
    duration_minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60, initial=60)
    requested_by_customer = forms.BooleanField(label=_("The customer asked for this meeting"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    unsaid = forms.CharField(
        label=_("The unsaid (private: only you will ever see this)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "private"}),
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    next_step_date = forms.DateField(label=_("Next step by"), required=False, widget=DATE)

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.for_customer = customer
        self.fields["contacts"].queryset = customer.contacts.all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("next_step_date") and not data.get("next_step"):
            self.add_error("next_step", _("Say what the next step is."))
        return data


class MeetingLogForm(MeetingFieldsForm):
    """Log a meeting: the fields above, an open request to honour and new facts learned."""

    customer = forms.CharField(widget=forms.HiddenInput)
    honours = forms.ModelChoiceField(
        label=_("Honours the request"),
        queryset=MeetingRequest.objects.none(),
        required=False,
        empty_label=_("No open request"),
        widget=forms.RadioSelect,
        blank=True,
    )

    def __init__(self, *args: Any, customer: Customer, may_honour: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, customer=customer, **kwargs)
        self.initial.setdefault("start", now_minute())
        self.initial.setdefault("customer", customer.ref)
        # Only those who may change the customer's requests are offered them (may_honour comes
        # from meetings.actions.can_change_request; the action refuses anyone else too).
        requests = customer.meeting_requests.filter(status=RequestStatus.OPEN).select_related("contact")
        if not may_honour:
            requests = requests.none()
        self.fields["honours"].queryset = requests  # type: ignore[attr-defined]
        self.fields["honours"].label_from_instance = self.request_label  # type: ignore[attr-defined]
        people = [(c.pk, c.name) for c in customer.contacts.all()]
        for i in range(1, FACT_ROWS + 1):
            self.fields[f"fact_contact_{i}"] = forms.TypedChoiceField(
                label=_("About"),
                choices=[("", _("The person you met")), *people],
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"fact_kind_{i}"] = forms.ChoiceField(
                label=_("Kind"), choices=FactKind.choices, initial=FactKind.OTHER, required=False
            )
            self.fields[f"fact_text_{i}"] = forms.CharField(label=_("New fact"), max_length=500, required=False)

    @staticmethod
    def request_label(request: MeetingRequest) -> str:
        from kanelbulle.web.templatetags.kb import day

        who = f"{request.contact}, " if request.contact else ""
        return f"{who}{day(request.requested_at)}"

    def fact_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"fact_contact_{i}"], self[f"fact_kind_{i}"], self[f"fact_text_{i}"]) for i in range(1, FACT_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        contacts = {c.pk: c for c in self.for_customer.contacts.all()}
        facts = []
        for i in range(1, FACT_ROWS + 1):
            text = (data.get(f"fact_text_{i}") or "").strip()
            if not text:
                continue
            chosen = data.get(f"fact_contact_{i}")
            if chosen is None:  # "the person you met": the one ticked, or the only one there is
                met = list(data.get("contacts") or [])
                chosen = met[0].pk if len(met) == 1 else next(iter(contacts)) if len(contacts) == 1 else 0
            contact = contacts.get(chosen)
            if contact is None:
                self.add_error(f"fact_contact_{i}", _("Say whom this fact is about."))
                continue
            facts.append((contact, data.get(f"fact_kind_{i}") or FactKind.OTHER, text))
        data["new_facts"] = facts
        return data

    def action_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        keys = (
            "start",
            "modality",
            "duration_minutes",
            "requested_by_customer",
            "notes",
            "unsaid",
            "next_step",
            "next_step_date",
            "honours",
            "new_facts",
        )
        return {k: d[k] for k in keys} | {"contacts": list(d["contacts"])}


class MeetingEditForm(MeetingFieldsForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Follows from the date")), *MeetingStatus.choices],
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, customer: Customer, author: bool, **kwargs: Any) -> None:
        super().__init__(*args, customer=customer, **kwargs)
        if not author:
            del self.fields["unsaid"]

    def action_fields(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d.pop("version", None)
        d["contacts"] = list(d["contacts"])
        return d


class RequestForm(forms.Form):
    contact = forms.ModelChoiceField(
        label=_("Who asked"), queryset=Contact.objects.none(), required=False, empty_label=_("Someone at the company")
    )
    requested_at = forms.DateTimeField(label=_("When they asked"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()  # type: ignore[attr-defined]
        self.initial.setdefault("requested_at", now_minute())

    def clean_requested_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["requested_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("A request cannot be made in the future."))
        return value
