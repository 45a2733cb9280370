from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fangpin.demo"
    verbose_name = "演示数据"
