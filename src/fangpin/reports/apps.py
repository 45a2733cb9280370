from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "fangpin.reports"
    verbose_name = "报表（台账与月度报告）"
