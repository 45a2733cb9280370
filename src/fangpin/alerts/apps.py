from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "fangpin.alerts"
    verbose_name = "筛查预警"
