from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from clinic import session_timeout, tokens  # noqa: F401 - session_timeout stamps sign-ins

        tokens.connect_signals()

        from django.contrib.auth.signals import user_logged_in

        from clinic import languages, zones

        user_logged_in.connect(zones.on_login, dispatch_uid="clinic.zones.on_login")
        user_logged_in.connect(languages.on_login, dispatch_uid="clinic.languages.on_login")
