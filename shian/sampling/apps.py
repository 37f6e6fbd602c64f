from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamplingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shian.sampling"
    label = "sampling"
    verbose_name = _("Food sampling")

    def ready(self) -> None:
        from . import indicators  # noqa: F401 — registers the sampling indicators
