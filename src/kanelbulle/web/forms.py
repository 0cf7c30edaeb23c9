"""The admin's form for adding a user (``accounts.services.user_create`` decides)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kanelbulle.accounts.models import Role


class UserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SELLER)
    team = forms.CharField(label=_("Team"), max_length=100, required=False)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common password."),
    )
