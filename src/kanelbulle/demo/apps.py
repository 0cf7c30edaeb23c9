from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kanelbulle.demo"
    label = "demo"
