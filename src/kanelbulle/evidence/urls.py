"""This app's pages (mounted by kanelbulle.urls at /evidence/)."""

from __future__ import annotations

from django.urls import path

from kanelbulle.evidence import views

app_name = "evidence"
urlpatterns = [
    path("", views.evidence_page, name="page"),
    path("recompute/", views.recompute, name="recompute"),
    path("job/<str:key>/", views.job_status, name="job"),
]
