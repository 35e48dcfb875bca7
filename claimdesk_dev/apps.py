from django.apps import AppConfig


class ClaimdeskDevConfig(AppConfig):
    """Evaluation and benchmark tooling, installed by the dev and test settings only."""

    name = "claimdesk_dev"
