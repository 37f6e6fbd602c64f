from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "shian.metrics"
    label = "metrics"
    verbose_name = _("Food-safety index")

    def ready(self) -> None:
        from . import indicators  # noqa: F401 — registers the index's own indicators
