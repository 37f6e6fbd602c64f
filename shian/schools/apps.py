from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shian.schools"
    label = "schools"
    verbose_name = _("Schools and canteens")

    def ready(self) -> None:
        from shian.core import todo

        from . import indicators  # noqa: F401 — registers T10, T11 and T20
        from .todo import schools_todo

        todo.register("schools", schools_todo)
