from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fangpin.accounts"
    verbose_name = "账户"
