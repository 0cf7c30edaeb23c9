"""Forms for customers, contacts and facts: they parse and label input; the actions decide."""

from __future__ import annotations

from typing import Any

import pycountry
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kanelbulle.accounts.models import User
from kanelbulle.core.money import is_currency
from kanelbulle.customers.hours import HoursError, format_hours
from kanelbulle.customers.hours import parse as parse_hours
from kanelbulle.customers.models import FactKind, FactSource, LawfulBasis, Potential
from kanelbulle.privacy import sensitive

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO_UNKNOWN = [("", _("Not recorded")), ("yes", _("Yes")), ("no", _("No"))]


def assignable_owners(actor: User) -> list[User]:
    """Whom the actor may hand a customer to: admins anyone, managers their team, sellers themselves."""
    users = User.objects.filter(is_active=True).order_by("name", "username")
    if actor.is_admin_role:
        return list(users)
    if actor.is_manager and actor.team:
        return list(users.filter(team=actor.team))
    return [actor]


class CurrencyField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        code = str(super().clean(value) or "").upper()
        if code and not is_currency(code):
            raise forms.ValidationError(
                _("%(code)s is not an ISO 4217 currency code such as SEK or EUR."), params={"code": code}
            )
        return code


class OpeningHoursField(forms.CharField):
    """Typed as ``mon-fri 08:00-16:30``, stored as the exchange format's per-day spans."""

    def prepare_value(self, value: Any) -> Any:
        return format_hours(value) if isinstance(value, dict) else value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        try:
            return parse_hours(text or "")
        except HoursError as exc:
            raise forms.ValidationError(
                _("Not opening hours: %(why)s. Write e.g. mon-fri 08:00-16:30; sat 10:00-14:00."),
                params={"why": exc},
            ) from None


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    org_number = forms.CharField(
        label=_("Organisation number"), max_length=32, required=False, help_text=_("E.g. 556677-8899.")
    )
    country = forms.CharField(
        label=_("Country"), max_length=2, min_length=2, help_text=_("Two letters, e.g. SE, NO, DE, CN.")
    )
    city = forms.CharField(label=_("City"), max_length=120)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    owner = forms.TypedChoiceField(label=_("Seller"), coerce=int)
    potential = forms.ChoiceField(label=_("Potential"), choices=Potential.choices, initial=Potential.UNKNOWN)
    public_sector = forms.BooleanField(label=_("Public sector"), required=False)
    visit_minutes = forms.IntegerField(label=_("Visit length (minutes)"), min_value=5, max_value=24 * 60, initial=60)
    opening_hours = OpeningHoursField(
        label=_("Opening hours"),
        required=False,
        help_text=_("E.g. mon-fri 08:00-16:30; sat 10:00-14:00 (in the customer's time zone). Empty: not known."),
    )
    accepts_gifts = forms.ChoiceField(label=_("Accepts gifts"), choices=YES_NO_UNKNOWN, required=False)
    gift_max_amount = forms.DecimalField(
        label=_("Their gift limit"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    gift_max_currency = CurrencyField(label=_("Gift limit currency"), required=False)
    tender_open_until = forms.DateField(label=_("Open tender until"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {u.pk: u for u in assignable_owners(actor)}
        field: forms.TypedChoiceField = self.fields["owner"]  # type: ignore[assignment]
        field.choices = [(pk, str(u)) for pk, u in self.owners.items()]
        if not self.initial.get("owner"):
            self.initial["owner"] = actor.pk
        self.initial.setdefault("gift_max_currency", settings.COMPANY_CURRENCY)

    def clean_country(self) -> str:
        code = str(self.cleaned_data["country"]).upper()
        if pycountry.countries.get(alpha_2=code) is None:
            raise forms.ValidationError(_("%(code)s is not a country code (ISO 3166, e.g. SE)."), params={"code": code})
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lat") is None) != (data.get("lon") is None):
            self.add_error("lon", _("Give both latitude and longitude, or neither."))
        if data.get("gift_max_amount") is not None and not data.get("gift_max_currency"):
            self.add_error("gift_max_currency", _("A limit needs its currency."))
        return data

    def action_fields(self) -> dict[str, Any]:
        """The cleaned data as the customer actions take it."""
        d = dict(self.cleaned_data)
        d.pop("version", None)
        d["owner"] = self.owners[d["owner"]]
        d["accepts_gifts"] = {"yes": True, "no": False}.get(d.get("accepts_gifts") or "")
        if d.get("gift_max_amount") is None:
            d["gift_max_currency"] = ""
        if d.get("lat") is None:
            d.pop("lat")
            d.pop("lon")
        return d


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    lawful_basis = forms.ChoiceField(
        label=_("Lawful basis"), choices=LawfulBasis.choices, initial=LawfulBasis.LEGITIMATE_INTEREST
    )
    source = forms.CharField(
        label=_("Where we met them"), max_length=300, required=False, help_text=_('e.g. "business card, Elmia 2025"')
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FactForm(forms.Form):
    """Two taps: pick the kind, type the detail. Source and date have sensible defaults."""

    kind = forms.ChoiceField(label=_("Kind"), choices=FactKind.choices, initial=FactKind.OTHER)
    text = forms.CharField(label=_("What you learned"), max_length=500)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[c for c in FactSource.choices if c[0] != FactSource.IMPORT],
        initial=FactSource.CONTACT,
        required=False,
    )
    learned = forms.DateField(label=_("Learned"), required=False, widget=DATE)
    exception = forms.ChoiceField(
        label=_("Special-category exception"),
        choices=[("", _("None: do not store a sensitive detail")), *sensitive.EXCEPTIONS.items()],
        required=False,
        help_text=_(
            "Only for a fact that reveals health, religion, politics, union membership, ethnic origin, "
            "sex life or genetic data (GDPR Art. 9): record why it may be kept."
        ),
    )
    exception_note = forms.CharField(
        label=_("How the exception was documented"),
        max_length=300,
        required=False,
        help_text=_('e.g. "consent by e-mail 2025-03-02"'),
    )

    def clean_learned(self) -> Any:
        learned = self.cleaned_data.get("learned")
        if learned and learned > timezone.localdate():
            raise forms.ValidationError(_("A fact cannot be learned in the future."))
        return learned


class CustomerFilterForm(forms.Form):
    """The customer list's search, filters and sort (all optional, all in the URL)."""

    q = forms.CharField(label=_("Search"), required=False)
    owner = forms.TypedChoiceField(label=_("Seller"), required=False, coerce=int, empty_value=None)
    team = forms.ChoiceField(label=_("Team"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    potential = forms.ChoiceField(label=_("Potential"), required=False)
    public_sector = forms.ChoiceField(
        label=_("Public sector"), required=False, choices=[("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
    )
    not_met_days = forms.IntegerField(
        label=_("Not met in person for (days)"), required=False, min_value=0, max_value=3650
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("-name", _("Name, Z to A")),
            ("city", _("City")),
            ("owner", _("Seller")),
            ("potential", _("Potential, highest first")),
            ("last_met", _("Longest since met in person")),
            ("-last_met", _("Most recently met in person")),
        ],
    )

    def __init__(
        self, *args: Any, owners: list[User], countries: list[str], teams: list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {u.pk: u for u in owners}
        self.fields["owner"].choices = [("", _("Anyone"))] + [(u.pk, str(u)) for u in owners]  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("Any"))] + [(t, t) for t in teams or []]  # type: ignore[attr-defined]
        if len(teams or []) < 2:  # a choice to show only to whoever sees several teams (an admin)
            self.fields["team"].widget = forms.HiddenInput()
        self.fields["country"].choices = [("", _("Any"))] + [(c, c) for c in countries]  # type: ignore[attr-defined]
        self.fields["potential"].choices = [("", _("Any")), *Potential.choices]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        d = self.cleaned_data if self.is_valid() else {}
        return {
            "query": d.get("q") or "",
            "owner": self.owners.get(d["owner"]) if d.get("owner") else None,
            "team": d.get("team") or "",
            "country": d.get("country") or "",
            "potential": d.get("potential") or "",
            "public_sector": {"yes": True, "no": False}.get(d.get("public_sector") or ""),
            "not_met_days": d.get("not_met_days"),
            "sort": d.get("sort") or "name",
        }
