"""This app's pages (mounted at /gifts/ by kanelbulle.urls)."""

from __future__ import annotations

from django.urls import path

from kanelbulle.gifts import views

app_name = "gifts"
urlpatterns = [
    path("", views.register, name="register"),
    path("report.csv", views.register_csv, name="csv"),
    path("report/", views.register_print, name="print"),
    path("new/", views.new_gift, name="new"),
    path("check/", views.check_preview, name="check"),
    path("policy/", views.policy, name="policy"),
    path("<str:ref>/", views.detail, name="detail"),
    path("<str:ref>/edit/", views.edit, name="edit"),
    path("<str:ref>/approve/", views.approve, name="approve"),
    path("<str:ref>/void/", views.void, name="void"),
]
