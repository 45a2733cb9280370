from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "fangpin.dashboards"
    verbose_name = "数据看板"
