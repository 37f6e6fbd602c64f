from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "shian.risk"
    label = "risk"
    verbose_name = _("Risk grades")

    def ready(self) -> None:
        from . import indicators  # noqa: F401 — registers the grade-mix indicators
