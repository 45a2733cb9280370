from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "fangpin.employment"
    verbose_name = "就业帮扶（岗位对接）"
