from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shian.sources"
    label = "sources"
    verbose_name = _("农产品与粮食")

    def ready(self) -> None:
        from shian.core import todo

        from . import indicators, kinds  # noqa: F401 — register the indicators and record kinds
        from .todo import sources_todo

        todo.register("sources", sources_todo)
