"""This app's pages (mounted by kanelbulle.urls under /plan/): the plan and the brief."""

from django.urls import path

from kanelbulle.planner import views

app_name = "planner"
urlpatterns = [
    path("", views.plan_page, name="plan"),
    path("solve/", views.plan_solve, name="solve"),
    path("job/<str:key>/", views.plan_job, name="job"),
    path("pins/<str:ref>/remove/", views.unpin, name="unpin"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/change/", views.plan_change, name="change"),
    path("<int:pk>/accept/", views.plan_accept, name="accept"),
    path("<int:pk>/plan.ics", views.plan_ics, name="ics"),
    path("brief/<str:ref>/", views.brief_page, name="brief"),
    path("worth/<str:ref>/", views.worth_page, name="worth"),
    path("policy/", views.policy_page, name="policy"),
]
