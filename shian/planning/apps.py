from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "shian.planning"
    label = "planning"
    verbose_name = _("Annual plan")

    def ready(self) -> None:
        from shian.core import todo

        from . import indicators  # noqa: F401 — registers the plan's own indicators
        from .todo import planning_figures, planning_todo

        todo.register("planning", planning_todo)
        todo.register_figures("planning", planning_figures)
