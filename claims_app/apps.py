from django.apps import AppConfig


class ClaimsAppConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims_app"
    verbose_name = "Claimdesk"
