from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kanelbulle.core"
    label = "core"
