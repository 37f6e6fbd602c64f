from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shian.complaints"
    label = "complaints"
    verbose_name = _("投诉举报")

    def ready(self) -> None:
        from shian.core import todo

        from . import indicators  # noqa: F401 — registers the complaint indicators
        from .todo import complaints_todo

        todo.register("complaints", complaints_todo)
