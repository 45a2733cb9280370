from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "fangpin.supervision"
    verbose_name = "督战"
