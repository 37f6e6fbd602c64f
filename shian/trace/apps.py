from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shian.trace"
    label = "trace"
    verbose_name = _("Traceability")

    def ready(self) -> None:
        from shian.core import todo

        from . import indicators  # noqa: F401 — registers the trace indicators
        from .todo import trace_todo

        todo.register("trace", trace_todo)
