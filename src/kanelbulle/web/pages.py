"""What every workspace page shares: log-in, the viewer's time zone, 404 for what is not visible.

Views stay thin: they parse a form, call an action and render. The actions decide who may do
what; here ``NotVisible`` becomes 404 and Django turns ``PermissionDenied`` into 403.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from kanelbulle.accounts.models import User
from kanelbulle.core.access import NotVisible, get_visible
from kanelbulle.core.actions import Conflict

View = Callable[..., HttpResponseBase]


def viewer_zone(user: User) -> zoneinfo.ZoneInfo:
    """The viewer's own time zone; an unknown name falls back to the installation's."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(timezone.get_default_timezone_name())


def workspace(view: View) -> View:
    """Log-in required (anonymous → login page), times in the viewer's zone, NotVisible → 404."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user: User = request.user  # type: ignore[assignment]
        with timezone.override(viewer_zone(user)):
            try:
                return view(request, *args, **kwargs)
            except NotVisible:
                raise Http404 from None

    return login_required(wrapped)


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


M = TypeVar("M", bound=Model)


def record_of_customer(request: HttpRequest, qs: QuerySet[M], ref: str, record_ref: str) -> M:
    """A customer's record (contact, meeting, deal, …) by both refs, as the URL names them; it does
    not exist (NotVisible, 404) for a viewer who may not see the customer."""
    return get_visible(user_of(request), qs, "customer__", ref=record_ref, customer__ref=ref)


def apply_errors(form: forms.BaseForm, exc: ValidationError | Conflict) -> None:
    """Show an action's refusal next to the field it names (or above the form)."""
    if isinstance(exc, Conflict):
        form.add_error(None, _("Someone changed this record while you were editing it. Reload the page and try again."))
        form.stale = True  # type: ignore[attr-defined]  # form_page answers 409, as the API does
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    back: str,
    submit: str | None = None,
    delete_url: str | None = None,
    template: str = "web/form.html",
    status: int | None = None,
    **extra: Any,
) -> HttpResponseBase:
    """Render a form page; a form with errors answers 400 (409 when the record changed meanwhile), so
    clients and tests can tell."""
    from django.shortcuts import render

    context = {"form": form, "title": title, "back": back, "submit": submit or _("Save"), "delete_url": delete_url}
    code = status or (409 if getattr(form, "stale", False) else 400 if form.is_bound and form.errors else 200)
    return render(request, template, context | extra, status=code)


def confirm_page(request: HttpRequest, *, title: str, question: str, back: str, submit: str) -> HttpResponseBase:
    from django.shortcuts import render

    return render(request, "web/confirm.html", {"title": title, "question": question, "back": back, "submit": submit})
