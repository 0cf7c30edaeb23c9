"""The web app's frame: login at /, the home page by role, logout, and user management (admins add,
change, deactivate and reactivate users; a user is never deleted, their records point at them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanelbulle.accounts.models import User
from kanelbulle.accounts.services import password_change, password_set, user_create, user_set_active, user_update
from kanelbulle.core.days import today_of
from kanelbulle.web.forms import NewPasswordForm, PasswordChangeForm, UserEditForm, UserForm
from kanelbulle.web.home import home_context
from kanelbulle.web.pages import apply_errors, form_page, user_of, workspace


def login_page(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        return redirect("web:home")
    return LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True)(request)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    response = redirect("web:login")
    # The browser's caches go too (the phone app's IndexedDB is cleared by app.js before this
    # request; "storage" would also drop meetings not yet sent, so it is not asked for).
    response["Clear-Site-Data"] = '"cache"'
    return response


@workspace
def home(request: HttpRequest) -> HttpResponse:
    try:
        weeks = int(request.GET.get("weeks", "4"))
    except ValueError:
        weeks = 4
    return render(request, "web/home.html", home_context(user_of(request), weeks, today_of(request)))


@workspace
def users(request: HttpRequest) -> HttpResponse:
    """Admins list and add users; everyone else is refused (403: the page exists, it is not theirs)."""
    if not user_of(request).is_admin_role:
        raise PermissionDenied
    form = UserForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = user_create(**form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    field = message.split(":", 1)[0] if ":" in message else None
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("User %(name)s added.") % {"name": created.username})
                return redirect("web:users")
        status = 400
    people = User.objects.order_by("team", "role", "username")
    return render(request, "web/users.html", {"form": form, "people": people}, status=status)


def _admin_only(request: HttpRequest) -> User:
    actor = user_of(request)
    if not actor.is_admin_role:
        raise PermissionDenied
    return actor


@workspace
def user_edit(request: HttpRequest, username: str) -> HttpResponse:
    """Change a user's name, role, team, home place, time zone and whether they may log in."""
    actor = _admin_only(request)
    person = get_object_or_404(User, username=username)
    form = UserEditForm.for_user(person, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():
                    user_update(actor, person, **form.update_fields())
                    active = bool(form.cleaned_data.get("is_active"))
                    if active != person.is_active:
                        user_set_active(actor, person, active)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("User %(name)s saved.") % {"name": person.username})
                return redirect("web:users")
    return render(request, "web/user_edit.html", {"form": form, "person": person}, status=status)


@workspace
def user_active(request: HttpRequest, username: str) -> HttpResponse:
    """Deactivate or reactivate a user: GET asks, POST (``active`` = yes or no) does it."""
    actor = _admin_only(request)
    person = get_object_or_404(User, username=username)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        wanted = request.POST.get("active", "")
        if wanted not in ("yes", "no"):
            problems.append(_("Say whether the user should be active: yes or no."))
        else:
            try:
                user_set_active(actor, person, wanted == "yes")
            except ValidationError as exc:
                problems += exc.messages
            else:
                done = (
                    _("%(name)s is active again; they need new API tokens.")
                    if wanted == "yes"
                    else _(
                        "%(name)s is deactivated: they cannot log in and their API tokens are revoked. "
                        "Their records stay."
                    )
                )
                messages.success(request, done % {"name": person.username})
                return redirect("web:users")
        status = 400
    return render(
        request,
        "web/user_active.html",
        {"person": person, "problems": problems, "self": person.pk == actor.pk},
        status=status,
    )


@workspace
def own_password(request: HttpRequest) -> HttpResponseBase:
    """Anyone changes their own password: the current one first. Their other sessions (another
    browser, the phone) end; this one stays logged in."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            changed = password_change(user_of(request), old_password=d["old_password"], new_password=d["new_password"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            update_session_auth_hash(request, changed)
            messages.success(request, _("Your password is changed. You were logged out everywhere else."))
            return redirect("web:home")
    return form_page(
        request,
        form,
        title=_("Change your password"),
        back=reverse("web:home"),
        submit=_("Change password"),
        intro=_("You stay logged in here; your other sessions (another browser, your phone) end."),
    )


@workspace
def user_password(request: HttpRequest, username: str) -> HttpResponseBase:
    """An admin sets a user's password (they forgot it); that user's sessions end."""
    actor = _admin_only(request)
    person = get_object_or_404(User, username=username)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = password_set(actor, person, form.cleaned_data["new_password"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if changed.pk == actor.pk:
                update_session_auth_hash(request, changed)
            messages.success(
                request, _("Password set for %(name)s. Their sessions have ended.") % {"name": person.username}
            )
            return redirect("web:users")
    return form_page(
        request,
        form,
        title=_("Set a password for %(name)s") % {"name": person.username},
        back=reverse("web:users"),
        submit=_("Set password"),
        intro=_("Give them the new password by a safe way; they can change it themselves after logging in."),
    )
