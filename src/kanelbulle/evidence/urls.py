"""This app's pages (mounted by kanelbulle.urls)."""

from django.urls import path  # noqa: F401

app_name = "evidence"
urlpatterns: list = []  # type: ignore[type-arg]
