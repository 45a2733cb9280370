from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fangpin.accounts"
    verbose_name = "账户"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from fangpin.accounts import checks, services  # noqa: F401 - checks registers the system checks

        user_logged_in.connect(services.on_login, dispatch_uid="fangpin.audit.login")
        user_login_failed.connect(services.on_login_failed, dispatch_uid="fangpin.audit.login_failed")
        user_logged_out.connect(services.on_logout, dispatch_uid="fangpin.audit.logout")
        user_locked_out.connect(services.on_locked_out, dispatch_uid="fangpin.audit.locked_out")
