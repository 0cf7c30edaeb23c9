"""The admin's forms for adding and changing users (``accounts.services`` decides)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kanelbulle.accounts.models import Role, User


class UserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("Where the digest is sent; CSV owners match it.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SELLER)
    team = forms.CharField(label=_("Team"), max_length=100, required=False)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common password."),
    )


class UserEditForm(forms.Form):
    """An admin's changes to a user; ``user_update`` and ``user_set_active`` decide."""

    name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-mail"), required=False, help_text=_("Where the digest is sent; CSV owners match it.")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.CharField(label=_("Team"), max_length=100, required=False)
    home_city = forms.CharField(
        label=_("Home city"),
        max_length=120,
        required=False,
        help_text=_("Looked up in the offline list of places, e.g. Luleå. Where the day's travel starts."),
    )
    home_country = forms.CharField(
        label=_("Home country"), max_length=2, required=False, help_text=_("Two letters, e.g. SE, NO, DE.")
    )
    home_lat = forms.FloatField(
        label=_("Home latitude"),
        required=False,
        help_text=_("Only for a place the list does not know; leave as it is to look the city up."),
    )
    home_lon = forms.FloatField(label=_("Home longitude"), required=False)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("E.g. Europe/Stockholm; empty: the home place's."),
    )
    is_active = forms.BooleanField(
        label=_("Active (may log in)"),
        required=False,
        help_text=_(
            "Unticking deactivates the user: they cannot log in, their API tokens are revoked, their records stay."
        ),
    )

    PLACE = ("home_city", "home_country", "home_lat", "home_lon")

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> UserEditForm:
        initial = {
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "team": user.team,
            "home_city": user.home_city,
            "home_country": user.home_country,
            "home_lat": user.home_lat,
            "home_lon": user.home_lon,
            "time_zone": user.time_zone,
            "is_active": user.is_active,
        }
        return cls(data, initial=initial)

    def clean_home_country(self) -> str:
        return str(self.cleaned_data.get("home_country") or "").strip().upper()

    def update_fields(self) -> dict[str, Any]:
        """What ``user_update`` takes. A changed city or country with the old coordinates left as
        they were means "look the new place up": the old coordinates are not sent."""
        d = self.cleaned_data
        fields = {
            k: d.get(k) for k in ("name", "email", "role", "team", "home_city", "home_country", "home_lat", "home_lon")
        }
        fields["time_zone"] = d.get("time_zone") or ""
        moved = any(str(d.get(k) or "") != str(self.initial.get(k) or "") for k in ("home_city", "home_country"))
        same_point = all(d.get(k) == self.initial.get(k) for k in ("home_lat", "home_lon"))
        if moved and same_point:
            fields["home_lat"] = fields["home_lon"] = None
            if (d.get("time_zone") or "") == (self.initial.get("time_zone") or ""):
                fields["time_zone"] = ""  # follow the new place's zone
        return fields


def _password_field(label: Any, autocomplete: str, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        help_text=help_text,
    )


class NewPasswordForm(forms.Form):
    """A new password, typed twice (``accounts.services`` checks it against the password rules)."""

    new_password = _password_field(
        _("New password"), "new-password", _("At least 8 characters, not a common password.")
    )
    new_password_again = _password_field(_("New password again"), "new-password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("new_password"), data.get("new_password_again")
        if first and second and first != second:
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class PasswordChangeForm(NewPasswordForm):
    """A user's own change: the current password first."""

    old_password = _password_field(_("Current password"), "current-password")
    field_order = ["old_password", "new_password", "new_password_again"]
