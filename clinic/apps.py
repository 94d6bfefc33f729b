from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from clinic import session_timeout, tokens  # noqa: F401 - session_timeout stamps sign-ins

        tokens.connect_signals()
