from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "fangpin.plans"
    verbose_name = "帮扶计划（一户一策）"
