from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "shian.risk"
    label = "risk"
    verbose_name = _("Risk grades")

    def ready(self) -> None:
        from shian.core import related, todo

        from . import indicators  # noqa: F401 — registers the grade-mix indicators
        from .todo import risk_related, risk_todo

        todo.register("risk", risk_todo)
        related.register("risk", risk_related)
