"""The web app's frame: login at /, a logged-in home page, logout."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kanelbulle.web.home import home_context


def login_page(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        return redirect("web:home")
    return LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True)(request)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", home_context(request.user))  # type: ignore[arg-type]
