from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fangpin.api"
    verbose_name = "接口"
