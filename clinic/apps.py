from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from clinic import tokens

        tokens.connect_signals()
