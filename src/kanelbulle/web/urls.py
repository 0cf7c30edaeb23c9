from django.urls import path

from kanelbulle.web import pwa, views

app_name = "web"
urlpatterns = [
    path("", views.login_page, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("home/", views.home, name="home"),
    path("account/password/", views.own_password, name="password_change"),
    path("field/", pwa.field, name="field"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("users/", views.users, name="users"),
    path("users/<str:username>/edit/", views.user_edit, name="user_edit"),
    path("users/<str:username>/active/", views.user_active, name="user_active"),
    path("users/<str:username>/password/", views.user_password, name="user_password"),
]
