from django.urls import include, path

from kanelbulle.api import api
from kanelbulle.web.language import set_language

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("customers/", include("kanelbulle.customers.urls")),
    path("gifts/", include("kanelbulle.gifts.urls")),
    path("plan/", include("kanelbulle.planner.urls")),
    path("attention/", include("kanelbulle.insights.urls")),
    path("evidence/", include("kanelbulle.evidence.urls")),
    path("privacy/", include("kanelbulle.privacy.urls")),
    path("", include("kanelbulle.web.urls")),
]
