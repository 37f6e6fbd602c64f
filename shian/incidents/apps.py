from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shian.incidents"
    label = "incidents"
    verbose_name = _("食品安全事故")

    def ready(self) -> None:
        from shian.core import todo

        from . import indicators  # noqa: F401 — registers the incident indicators
        from .todo import incidents_todo

        todo.register("incidents", incidents_todo)
