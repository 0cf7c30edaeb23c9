"""The seller's workspace under /customers/: customers, people, facts, meetings, requests,
deals and orders (the meeting and deal pages live here too, as the project mounts only this)."""

from django.urls import path

from kanelbulle.customers import views
from kanelbulle.deals import views as deals
from kanelbulle.meetings import views as meetings

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("suggest/", views.customer_suggest, name="suggest"),
    path("log/", meetings.log, name="log"),
    path("deals/", deals.deal_board, name="deals"),
    path("<str:ref>/", views.customer_detail, name="detail"),
    path("<str:ref>/edit/", views.customer_edit, name="edit"),
    path("<str:ref>/delete/", views.customer_delete, name="delete"),
    path("<str:ref>/contacts/new/", views.contact_create, name="contact_create"),
    path("<str:ref>/contacts/<str:contact_ref>/edit/", views.contact_edit, name="contact_edit"),
    path("<str:ref>/contacts/<str:contact_ref>/delete/", views.contact_delete, name="contact_delete"),
    path("<str:ref>/contacts/<str:contact_ref>/facts/", views.fact_add, name="fact_add"),
    path("<str:ref>/facts/<int:pk>/delete/", views.fact_delete, name="fact_delete"),
    path("<str:ref>/meetings/<str:meeting_ref>/", meetings.meeting_detail, name="meeting"),
    path("<str:ref>/meetings/<str:meeting_ref>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("<str:ref>/meetings/<str:meeting_ref>/delete/", meetings.meeting_delete, name="meeting_delete"),
    path("<str:ref>/requests/new/", meetings.request_create, name="request_create"),
    path("<str:ref>/requests/<str:request_ref>/decline/", meetings.request_decline, name="request_decline"),
    path("<str:ref>/requests/<str:request_ref>/edit/", meetings.request_edit, name="request_edit"),
    path("<str:ref>/requests/<str:request_ref>/delete/", meetings.request_delete, name="request_delete"),
    path("<str:ref>/deals/new/", deals.deal_create, name="deal_create"),
    path("<str:ref>/deals/<str:deal_ref>/edit/", deals.deal_edit, name="deal_edit"),
    path("<str:ref>/deals/<str:deal_ref>/stage/", deals.deal_stage, name="deal_stage"),
    path("<str:ref>/deals/<str:deal_ref>/delete/", deals.deal_delete, name="deal_delete"),
    path("<str:ref>/orders/new/", deals.order_create, name="order_create"),
    path("<str:ref>/orders/<str:order_ref>/edit/", deals.order_edit, name="order_edit"),
    path("<str:ref>/orders/<str:order_ref>/delete/", deals.order_delete, name="order_delete"),
]
