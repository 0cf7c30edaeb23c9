from django.urls import path

from kanelbulle.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("audit/", views.audit_log, name="audit"),
    path("contacts/<str:ref>/export/", views.export, name="export"),
    path("contacts/<str:ref>/erase/", views.erase, name="erase"),
    path("contacts/<str:ref>/renew/", views.renew, name="renew"),
]
