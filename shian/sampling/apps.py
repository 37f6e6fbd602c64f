from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamplingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shian.sampling"
    label = "sampling"
    verbose_name = _("Food sampling")

    def ready(self) -> None:
        from shian.core import related, todo

        from . import indicators  # noqa: F401 — registers the sampling indicators
        from .todo import sampling_figures, sampling_related, sampling_todo

        todo.register("sampling", sampling_todo)
        todo.register_figures("sampling", sampling_figures)
        related.register("sampling", sampling_related)
