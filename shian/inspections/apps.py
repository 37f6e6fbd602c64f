from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "shian.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from shian.core import related, todo

        from . import indicators  # noqa: F401 — registers the inspections' indicators
        from .todo import inspections_figures, inspections_related, inspections_todo

        todo.register("inspections", inspections_todo)
        todo.register_figures("inspections", inspections_figures)
        related.register("inspections", inspections_related)
