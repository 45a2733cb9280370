from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fangpin.accounts"
    verbose_name = "账户"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from fangpin.accounts import services

        user_logged_in.connect(services.on_login, dispatch_uid="fangpin.audit.login")
        user_login_failed.connect(services.on_login_failed, dispatch_uid="fangpin.audit.login_failed")
        user_logged_out.connect(services.on_logout, dispatch_uid="fangpin.audit.logout")
