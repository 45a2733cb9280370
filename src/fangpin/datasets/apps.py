from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "fangpin.datasets"
    verbose_name = "部门数据"
