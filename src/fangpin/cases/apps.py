from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "fangpin.cases"
    verbose_name = "监测识别与帮扶"
