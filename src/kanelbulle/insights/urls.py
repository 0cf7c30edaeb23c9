"""This app's pages (mounted by kanelbulle.urls under /attention/)."""

from django.urls import path

from kanelbulle.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.attention_page, name="list"),
    path("size-bias/", views.size_bias_page, name="size_bias"),
    path("snooze/<str:ref>/", views.snooze_item, name="snooze"),
    path("wake/<str:ref>/", views.wake_item, name="wake"),
    path("plan-visit/<str:ref>/", views.plan_visit, name="plan_visit"),
]
