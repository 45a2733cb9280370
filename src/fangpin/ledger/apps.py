from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "fangpin.ledger"
    verbose_name = "台账导入导出"
