from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kanelbulle.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kanelbulle.customers import search

        search.connect()
