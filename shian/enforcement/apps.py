from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shian.enforcement"
    label = "enforcement"
    verbose_name = _("执法办案与信用")

    def ready(self) -> None:
        from shian.core import todo

        from . import indicators  # noqa: F401 — registers the enforcement and credit indicators
        from .todo import enforcement_todo

        todo.register("enforcement", enforcement_todo)

        from shian.registry import personchecks

        from .licence_check import bans_on_persons

        personchecks.register("enforcement.bans", bans_on_persons)
