"""The web app's frame: login at /, the home page by role, logout, and user management."""

from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kanelbulle.accounts.models import User
from kanelbulle.accounts.services import user_create
from kanelbulle.web.forms import UserForm
from kanelbulle.web.home import home_context
from kanelbulle.web.pages import user_of, workspace


def login_page(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        return redirect("web:home")
    return LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True)(request)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    return redirect("web:login")


@workspace
def home(request: HttpRequest) -> HttpResponse:
    try:
        weeks = int(request.GET.get("weeks", "4"))
    except ValueError:
        weeks = 4
    return render(request, "web/home.html", home_context(user_of(request), weeks))


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
                from django.contrib import messages

                messages.success(request, _("User %(name)s added.") % {"name": created.username})
                return redirect("web:users")
        status = 400
    people = User.objects.order_by("team", "role", "username")
    return render(request, "web/users.html", {"form": form, "people": people}, status=status)
