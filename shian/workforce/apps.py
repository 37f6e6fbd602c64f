from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shian.workforce"
    label = "workforce"
    verbose_name = _("队伍与社会共治")

    def ready(self) -> None:
        from shian.core import todo

        from . import indicators, kinds  # noqa: F401 — register the indicators and record kinds
        from .todo import workforce_todo

        todo.register("workforce", workforce_todo)
