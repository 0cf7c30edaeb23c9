from django.urls import path

from kanelbulle.web import views

app_name = "web"
urlpatterns = [
    path("", views.login_page, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("home/", views.home, name="home"),
    path("users/", views.users, name="users"),
]
